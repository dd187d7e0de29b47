// What a caller gets when a runtime posts an error (src/environment/runtime-api/error-body.ts), now
// read from the body's bytes without decoding them whole: for every kind of body a runtime may post
// — Lambda-shaped, Node's `trace`, plain text, JSON that is not an object, repeated keys, escapes,
// 6 MB messages — the caller's body means the same as it did when the whole text was parsed and
// re-encoded (the reference below is that earlier code), and logs and records get the start of a
// long message with its whole length.
import { describe, expect, it } from 'vitest';
import { parseErrorBody } from '../../src/environment/runtime-api/error-body.js';
import { scanObject } from '../../src/environment/runtime-api/json-scan.js';
import { MAX_MESSAGE_CHARS } from '../../src/logs/write-queue.js';

/** The earlier parse-then-re-stringify, as it was: what the caller used to get. */
function reference(raw: Buffer, headerType: string | undefined, init = false) {
  let parsed: unknown;
  try {
    parsed = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    parsed = { errorMessage: raw.toString('utf8') };
  }
  const obj = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const trace = Array.isArray(obj.stackTrace) ? obj.stackTrace : Array.isArray(obj.trace) ? obj.trace : [];
  const error = {
    errorType: typeof obj.errorType === 'string' ? obj.errorType : (headerType ?? 'Runtime.Unknown'),
    errorMessage: typeof obj.errorMessage === 'string' ? obj.errorMessage : String(obj.errorMessage ?? ''),
    stackTrace: trace.map((line) => String(line)),
  };
  let extra: Record<string, unknown> = {};
  if (!init) {
    try {
      const again: unknown = JSON.parse(raw.toString('utf8'));
      if (again && typeof again === 'object' && !Array.isArray(again)) extra = again as Record<string, unknown>;
    } catch {
      // not JSON
    }
  }
  const { trace: _t, stackTrace: _s, errorMessage: _m, errorType: _y, ...rest } = extra;
  const body: Record<string, unknown> = { errorMessage: error.errorMessage, errorType: error.errorType, ...rest };
  if (error.stackTrace.length || !init) body.stackTrace = error.stackTrace;
  return { error, payload: JSON.parse(JSON.stringify(body)) as unknown };
}

const BODIES: string[] = [
  '', '{}', ' { } ', 'null', '"just a string"', '[1,2]', '42', 'true',
  '{"errorMessage":"boom","errorType":"Error","stackTrace":["at a","at b"]}',
  '{"errorType":"TypeError","errorMessage":"x is undefined","trace":["TypeError: x","    at f (/var/task/a.js:1:1)"]}',
  '{"errorMessage":"py","errorType":"Exception","requestId":"r-1","stackTrace":["  File \\"/var/task/f.py\\", line 2\\n"]}',
  '{"errorMessage":5,"errorType":7,"stackTrace":[1,null,{"a":1},"s"]}',
  '{"errorMessage":{"nested":[1,2,{"x":"y"}]},"errorType":"Custom"}',
  '{"errorMessage":null,"stackTrace":"not an array","trace":["used instead"]}',
  '{"errorMessage":"first","errorMessage":"second","errorType":"A","errorType":"B","x":1,"x":2}',
  '{"errorMessage":"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00","errorType":"\\u0045rr"}',
  '{"errorMessage":"ünïcødé 日本 😀","errorType":"Ü","stackTrace":[]}',
  '{ "errorMessage" : "spaced" ,\n\t"errorType" : "E" , "stackTrace" : [ "a" , "b" ] , "extra" : { "deep" : [ [ ] , { } ] } }',
  '{"errorMessage":"n","errorType":"E","n":-1.5e+10,"t":true,"f":false,"z":null,"o":0,"p":0.25}',
  '{"__proto__":{"polluted":1},"errorMessage":"proto"}',
  'not json at all', '{"errorMessage":"unterminated', '{"errorMessage":"x"} trailing', '{"a":01}', '{"a":1,}', '[1,]',
  '{"a":"tab\there"}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":tru}', '{"a":1.}', '{"a":-}', '{"a" 1}', '\uFEFF{"a":1}',
  '[' .repeat(6000) + ']'.repeat(6000), '{"errorMessage":"deep","d":' + '['.repeat(6000) + ']'.repeat(6000) + '}',
  'plain text with ünïcødé and a "quote" and a \\ backslash\nand lines',
];

/** The start of a message as logs keep it: MAX_MESSAGE_CHARS, or one less rather than half a surrogate pair. */
function start(text: string): string {
  const cut = text.slice(0, MAX_MESSAGE_CHARS);
  return /[\uD800-\uDBFF]$/.test(cut) && text.length > MAX_MESSAGE_CHARS && /[\uDC00-\uDFFF]/.test(text[MAX_MESSAGE_CHARS]!) ? cut.slice(0, -1) : cut;
}

// Equal as JSON, whatever the order of keys (the runtime's own bytes may order them differently);
// compared as text so that a failure does not print a 6 MB diff.
const sorted = (_: string, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
  ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
const same = (a: unknown, b: unknown) => JSON.stringify(a, sorted) === JSON.stringify(b, sorted);

function check(text: string | Buffer, headerType?: string, init = false) {
  const raw = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const label = raw.toString('utf8', 0, 120);
  const got = parseErrorBody(raw, headerType, { init });
  const payload = JSON.parse(got.payload!.toString('utf8')) as Record<string, unknown>;
  let want: ReturnType<typeof reference>;
  try {
    want = reference(raw, headerType, init);
  } catch {
    // The earlier code could not encode JSON nested 6,000 deep (a 500 to the runtime); now the bytes pass.
    expect(typeof payload.errorMessage, label).toBe('string');
    return got;
  }
  expect(same(payload, want.payload), label).toBe(true);
  expect(got.errorType === start(want.error.errorType), label).toBe(true);
  expect(got.errorMessage === start(want.error.errorMessage), label).toBe(true);
  expect(got.messageLength, label).toBe(want.error.errorMessage.length);
  if (raw.length < 64 * 1024) expect(same(got.stackTrace, want.error.stackTrace), label).toBe(true);
  return got;
}

describe('error bodies read from their bytes', () => {
  it('give the caller what parsing and re-encoding gave, for every kind of body', () => {
    for (const body of BODIES) {
      check(body, undefined);
      check(body, 'Header.Type');
      check(body, undefined, true);
    }
  });

  it('tell JSON from not-JSON exactly as JSON.parse does, on random mutations of error bodies', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const ALPHABET = ['{', '}', '[', ']', '"', '\\', ':', ',', ' ', '0', '1', '-', '.', 'e', 'u', 'n', 't', 'é', '😀', '\n', '\u0001', 'a'];
    for (let n = 0; n < 3000; n++) {
      const base = BODIES[Math.floor(rand() * BODIES.length)]!.slice(0, 300);
      const chars = [...base];
      for (let k = 0; k < 1 + rand() * 3; k++) {
        const at = Math.floor(rand() * (chars.length + 1));
        if (rand() < 0.5) chars.splice(at, 1);
        else chars.splice(at, 0, ALPHABET[Math.floor(rand() * ALPHABET.length)]!);
      }
      const text = chars.join('');
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(scanObject(Buffer.from(text)) !== undefined, text).toBe(valid);
      check(text);
    }
  });

  it('a 6 MB Lambda-shaped error reaches the caller as the very bytes posted; logs and records get its start and length', () => {
    const message = 'm'.repeat(3_000_000) + '😀' + 'é'.repeat(1_000_000);
    const raw = Buffer.from(JSON.stringify({ errorMessage: message, errorType: 'Exception', requestId: 'r', stackTrace: ['at x'] }));
    const got = check(raw);
    expect(got.payload).toBe(raw);
    expect(got.errorMessage).toHaveLength(MAX_MESSAGE_CHARS);
    expect(got.messageLength).toBe(message.length);
  });

  it('a 6 MB error in another shape (Node\'s `trace`, plain text, escapes, a cut inside a surrogate pair) means what it meant', () => {
    const long = 'x'.repeat(MAX_MESSAGE_CHARS - 1) + '😀' + 'y\n"'.repeat(1_500_000);
    check(JSON.stringify({ errorType: 'Error', errorMessage: long, trace: ['Error: x', '    at f'] }));
    check('\u00e9'.repeat(3_000_000) + ' not JSON');
    check(JSON.stringify({ errorMessage: 'short', errorType: 'T'.repeat(400_000), stackTrace: Array.from({ length: 20_000 }, (_, i) => `at frame ${i}`) }));
    check(JSON.stringify({ errorMessage: 'short', errorType: 'T', stackTrace: Array.from({ length: 20_000 }, (_, i) => `at frame ${i}`) }), undefined, true);
  });
});
