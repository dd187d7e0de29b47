// A validating JSON scanner over bytes, for error bodies of up to 6 MB: it finds where each member
// of a top-level object lies without decoding the body into a string (JSON.parse would need the
// whole text as a string, then builds a second copy of every long string in it). It accepts what
// JSON.parse accepts of the UTF-8 text, byte for byte; it is iterative, so deep nesting costs no stack.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** One member of the top-level object: its key (decoded) and where its value's bytes lie. */
export interface Member {
  readonly key: string;
  /** Bytes of `"key"` (quotes included) as the runtime wrote it. */
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly start: number;
  readonly end: number;
  readonly kind: 'string' | 'array' | 'other';
  /** For a string: its length in UTF-16 code units once decoded (what String#length says). */
  readonly units: number;
}

/** The members of `b` when it is one JSON object; 'not-object' for other valid JSON; undefined when not JSON. */
export function scanObject(b: Buffer): Member[] | 'not-object' | undefined {
  let i = ws(b, 0);
  if (b[i] !== OPEN_OBJECT) {
    const end = skipValue(b, i);
    return end >= 0 && ws(b, end) === b.length ? 'not-object' : undefined;
  }
  const members: Member[] = [];
  i = ws(b, i + 1);
  if (b[i] === CLOSE_OBJECT) return ws(b, i + 1) === b.length ? members : undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const keyStart = i;
    const keyEnd = skipString(b, i);
    if (keyEnd < 0) return undefined;
    i = ws(b, keyEnd);
    if (b[i] !== 0x3a) return undefined;
    const start = ws(b, i + 1);
    const c = b[start];
    const end = c === QUOTE ? skipString(b, start) : skipValue(b, start);
    if (end < 0) return undefined;
    const kind = c === QUOTE ? 'string' : c === OPEN_ARRAY ? 'array' : 'other';
    const key = JSON.parse(b.toString('utf8', keyStart, keyEnd)) as string;
    members.push({ key, keyStart, keyEnd, start, end, kind, units: kind === 'string' ? lastUnits : 0 });
    i = ws(b, end);
    if (b[i] === CLOSE_OBJECT) return ws(b, i + 1) === b.length ? members : undefined;
    if (b[i] !== 0x2c) return undefined;
    i = ws(b, i + 1);
  }
}

/** Whether the array at [start, end) (already scanned) holds only strings. */
export function onlyStrings(b: Buffer, start: number, end: number): boolean {
  let i = ws(b, start + 1);
  if (b[i] === CLOSE_ARRAY) return true;
  while (i < end) {
    if (b[i] !== QUOTE) return false;
    i = ws(b, skipString(b, i));
    if (b[i] === CLOSE_ARRAY) return true;
    i = ws(b, i + 1); // the comma
  }
  return false;
}

/**
 * The string at [start, end) (already scanned) decoded, cut to its first `max` UTF-16 code units
 * when longer: only the bytes of the part kept are decoded.
 */
export function decodeString(b: Buffer, start: number, end: number, units: number, max: number): string {
  if (units <= max) return JSON.parse(b.toString('utf8', start, end)) as string;
  const last = end - 1; // the closing quote
  let i = start + 1;
  let n = 0;
  while (i < last) {
    const c = b[i]!;
    if (c >= 0x80 && c < 0xc0) {
      i++; // a continuation byte: counted with its lead
      continue;
    }
    const u = c >= 0xf0 ? 2 : 1; // a 4-byte sequence is two code units
    if (n + u > max) break;
    n += u;
    i += c === BACKSLASH ? (b[i + 1] === 0x75 ? 6 : 2) : 1;
  }
  return JSON.parse(`"${b.toString('utf8', start + 1, i)}"`) as string;
}

function ws(b: Buffer, i: number): number {
  for (let c = b[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = b[++i]);
  return i;
}

let lastUnits = 0; // the UTF-16 length of the string skipString last scanned

/** The index after the string starting at `i` (a quote), or -1; sets lastUnits. */
function skipString(b: Buffer, i: number): number {
  const n = b.length;
  let units = 0;
  for (i++; i < n; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      lastUnits = units;
      return i + 1;
    }
    if (c === BACKSLASH) {
      const e = b[i + 1];
      if (e === 0x75) {
        if (!/^[0-9a-fA-F]{4}$/.test(b.toString('latin1', i + 2, i + 6))) return -1;
        i += 5;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) i++;
      else return -1;
      units++;
    } else if (c < 0x20) return -1;
    else if (c < 0x80 || c >= 0xc0) units += c >= 0xf0 ? 2 : 1; // continuation bytes add nothing
  }
  return -1;
}

const SCALAR = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

/** The index after the number or literal at `i`, or -1. */
function skipScalar(b: Buffer, i: number): number {
  let j = i;
  while (j < b.length && isScalarByte(b[j]!)) j++;
  return j > i && SCALAR.test(b.toString('latin1', i, j)) ? j : -1;
}

// Bytes of numbers and of true, false, null.
function isScalarByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65 ||
    c === 0x74 || c === 0x72 || c === 0x75 || c === 0x66 || c === 0x61 || c === 0x6c || c === 0x73 || c === 0x6e;
}

/** The index after the JSON value at `i`, or -1 — containers walked with a stack, not recursion. */
function skipValue(b: Buffer, i: number): number {
  const open: number[] = [];
  for (;;) {
    const c = b[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      i = ws(b, i + 1);
      if (b[i] === (c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) i++;
      else {
        open.push(c);
        if (c === OPEN_OBJECT && (i = memberKey(b, i)) < 0) return -1;
        continue;
      }
    } else if ((i = c === QUOTE ? skipString(b, i) : skipScalar(b, i)) < 0) return -1;
    // After a value: close what ends here, then a comma starts the next one.
    for (;;) {
      if (!open.length) return i;
      i = ws(b, i);
      const top = open[open.length - 1];
      if (b[i] === 0x2c) {
        i = ws(b, i + 1);
        if (top === OPEN_OBJECT && (i = memberKey(b, i)) < 0) return -1;
        break;
      }
      if (b[i] !== (top === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) return -1;
      open.pop();
      i++;
    }
  }
}

/** Past `"key" :` and the whitespace after it, at the member's value; -1 when not there. */
function memberKey(b: Buffer, i: number): number {
  if (b[i] !== QUOTE) return -1;
  i = ws(b, skipString(b, i));
  return b[i] === 0x3a ? ws(b, i + 1) : -1;
}
