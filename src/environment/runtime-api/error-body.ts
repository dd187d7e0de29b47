// Parse an error body posted by a runtime. Runtimes differ: AWS's Node client sends `trace`,
// others `stackTrace`; some send plain text. Whatever arrives becomes one normalised shape.
//
// A body may be 6 MB (the payload limit), and a hostile function can post one on every invoke: the
// bytes stay one Buffer. The members are found by scanning those bytes (json-scan.ts); only the
// first MAX_MESSAGE_CHARS of the message and type are decoded (what logs, records and dead letters
// keep); the caller's body is the runtime's own bytes when they are already Lambda-shaped, else
// spliced together from pieces of them — never a decoded and re-encoded copy of the whole.
import { MAX_MESSAGE_CHARS } from '../../logs/write-queue.js';
import type { RuntimeErrorBody } from './host.js';
import { decodeString, onlyStrings, scanObject, type Member } from './json-scan.js';

/** Longest stack trace (bytes) decoded into `stackTrace`; a longer one goes to the caller only. */
const MAX_DECODED_TRACE_BYTES = 64 * 1024;

/**
 * The error as logs and records see it, with `payload` — what the caller gets: Lambda's
 * {errorMessage, errorType, …the runtime's other fields, stackTrace} — for /error; for /init/error
 * ({ init: true }) the three fields alone, stackTrace only when there is one.
 */
export function parseErrorBody(raw: Buffer, headerType: string | undefined, opts: { init?: boolean } = {}): RuntimeErrorBody {
  const fallbackType = headerType ?? 'Runtime.Unknown';
  const scanned = raw.length ? scanObject(raw) : [];
  if (scanned === undefined) return plainText(raw, fallbackType, opts.init === true);
  const members = scanned === 'not-object' ? [] : lastOfEachKey(scanned);
  const get = (key: string) => members.find((m) => m.key === key);
  const message = get('errorMessage');
  const type = get('errorType');
  const trace = [get('stackTrace'), get('trace')].find((m) => m?.kind === 'array');
  const traceOfStrings = !trace || onlyStrings(raw, trace.start, trace.end);

  const messageText = message?.kind === 'string' ? undefined : otherToString(raw, message);
  const errorMessage = messageText !== undefined ? messageText.slice(0, MAX_MESSAGE_CHARS)
    : decodeString(raw, message!.start, message!.end, message!.units, MAX_MESSAGE_CHARS);
  const errorType = type?.kind === 'string' ? decodeString(raw, type.start, type.end, type.units, MAX_MESSAGE_CHARS) : fallbackType;
  const stackTrace = trace && (trace.end - trace.start <= MAX_DECODED_TRACE_BYTES || !traceOfStrings)
    ? (JSON.parse(raw.toString('utf8', trace.start, trace.end)) as unknown[]).map((line) => String(line)) : [];

  // Each field as JSON bytes: the runtime's own where they are already what the caller gets.
  const messageJson = messageText === undefined ? raw.subarray(message!.start, message!.end) : json(messageText);
  const typeJson = type?.kind === 'string' ? raw.subarray(type.start, type.end) : json(errorType);
  const traceJson = trace && traceOfStrings ? raw.subarray(trace.start, trace.end) : json(stackTrace);
  const rest = opts.init || scanned === 'not-object' ? [] : members.filter((m) => !['errorMessage', 'errorType', 'stackTrace', 'trace'].includes(m.key));
  const lambdaShaped = !opts.init && scanned !== 'not-object' && members.length === scanned.length && message?.kind === 'string' &&
    type?.kind === 'string' && get('trace') === undefined && trace !== undefined && traceOfStrings;
  const parts: Buffer[] = [Buffer.from('{"errorMessage":'), messageJson, Buffer.from(',"errorType":'), typeJson];
  for (const m of rest) parts.push(Buffer.from(','), raw.subarray(m.keyStart, m.keyEnd), Buffer.from(':'), raw.subarray(m.start, m.end));
  if (!opts.init || stackTrace.length || (trace && trace.end - trace.start > MAX_DECODED_TRACE_BYTES)) {
    parts.push(Buffer.from(',"stackTrace":'), traceJson);
  }
  parts.push(Buffer.from('}'));
  return {
    errorType, errorMessage, stackTrace,
    messageLength: messageText?.length ?? message!.units,
    payload: lambdaShaped ? raw : Buffer.concat(parts),
  };
}

/** Not JSON: the text is the message. Encoded a piece at a time (no whole-body string is built twice). */
function plainText(raw: Buffer, errorType: string, init: boolean): RuntimeErrorBody {
  const pieces: Buffer[] = [Buffer.from('{"errorMessage":"')];
  let errorMessage = '';
  let messageLength = 0;
  const PIECE = 64 * 1024;
  for (let i = 0; i < raw.length;) {
    let end = Math.min(raw.length, i + PIECE);
    // Not inside a UTF-8 sequence: back up to its lead byte (at most 3 steps).
    for (let k = 0; k < 3 && end < raw.length && (raw[end]! & 0xc0) === 0x80; k++) end--;
    const text = raw.toString('utf8', i, end);
    if (errorMessage.length < MAX_MESSAGE_CHARS) errorMessage += text.slice(0, MAX_MESSAGE_CHARS - errorMessage.length);
    messageLength += text.length;
    pieces.push(Buffer.from(JSON.stringify(text).slice(1, -1)));
    i = end;
  }
  pieces.push(Buffer.from(`","errorType":${JSON.stringify(errorType)}${init ? '' : ',"stackTrace":[]'}}`));
  return { errorType, errorMessage, stackTrace: [], messageLength, payload: Buffer.concat(pieces) };
}

/** A message that is not a string, as String() gives it (Lambda's runtimes say what they got). */
function otherToString(raw: Buffer, m: Member | undefined): string {
  if (!m) return '';
  const value: unknown = JSON.parse(raw.toString('utf8', m.start, m.end));
  return String(value ?? '');
}

/** JSON.parse keeps the last of repeated keys, at the place of the first. */
function lastOfEachKey(members: Member[]): Member[] {
  const at = new Map<string, number>();
  const out: Member[] = [];
  for (const m of members) {
    const i = at.get(m.key);
    if (i === undefined) {
      at.set(m.key, out.length);
      out.push(m);
    } else out[i] = m;
  }
  return out;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
