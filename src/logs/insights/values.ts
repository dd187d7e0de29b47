// What a field or an expression holds: a string, a number, a boolean, a point in time, or nothing
// (the field is absent from the event). Numbers written as text compare and add as numbers, as in
// CloudWatch (JSON fields and parsed fields are text until used).

export class Time {
  constructor(readonly ms: number) {}
}

export type Value = string | number | boolean | Time | undefined;

export function toNumber(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Time) return v.ms;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function toText(v: Value): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Time) return formatTime(v.ms);
  if (typeof v === 'number') return formatNumber(v);
  return v ? 'true' : 'false';
}

/** CloudWatch's result time format: `2026-12-07 19:15:00.000` (UTC). */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  // Enough digits to be exact for what was stored, without binary noise (0.1 + 0.2).
  return String(Number(n.toPrecision(15)));
}

export function truthy(v: Value): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (v instanceof Time) return true;
  return v !== '';
}

/** Both sides as numbers when either is a number (or time) and the other reads as one; else as text. */
export function equals(a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'boolean' || typeof b === 'boolean') return truthy(a) === truthy(b);
  if (isNumeric(a) || isNumeric(b)) {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== undefined && y !== undefined) return x === y;
  }
  return toText(a) === toText(b);
}

/** Order for comparisons and sort: numbers by value, text by code points; undefined when absent. */
export function compare(a: Value, b: Value): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== undefined && y !== undefined && (isNumeric(a) || isNumeric(b) || (typeof a === 'string' && typeof b === 'string'))) {
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const s = toText(a)!;
  const t = toText(b)!;
  return s < t ? -1 : s > t ? 1 : 0;
}

/** Sort order: absent values last. */
export function sortCompare(a: Value, b: Value): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return compare(a, b)!;
}

const isNumeric = (v: Value) => typeof v === 'number' || v instanceof Time;
