// The log stores' paging tokens (sqlite/, postgres/): what each one means is a store's business (keyset positions
// over its own ids), callers pass them back as opaque strings. Their forms are the ones lambkin
// has always handed out, so that tokens of a running client survive an upgrade.
import { LogStoreError } from './store.js';

/** Position after an event id (FilterLogEvents, the investigation API's `after`/`next`): its decimal id. */
export function encodeId(id: number): string {
  return String(id);
}

export function decodeId(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  if (!/^\d{1,16}$/.test(token) || !Number.isSafeInteger(Number(token))) throw invalid();
  return Number(token);
}

/** GetLogEvents: `f/<id>` reads on after the id, `b/<id>` back before it. */
export function encodeDirection(dir: 'f' | 'b', id: number): string {
  return `${dir}/${String(id).padStart(20, '0')}`;
}

export function decodeDirection(token: string | undefined): { dir: 'f' | 'b'; id: number } | undefined {
  if (token === undefined) return undefined;
  const m = /^([fb])\/(\d{1,20})$/.exec(token);
  if (!m || !Number.isSafeInteger(Number(m[2]))) throw invalid();
  return { dir: m[1] as 'f' | 'b', id: Number(m[2]) };
}

/** A small JSON value, base64url: keyset positions of several fields. */
export function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeJson<T>(token: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (token === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!check(value)) throw invalid();
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);

/** (time, sequence): invocation lists, error groups, record scans. */
export interface TimeSeq {
  readonly t: number;
  readonly s: number;
}
export const isTimeSeq = (v: unknown): v is TimeSeq => isObject(v) && num(v.t) && int(v.s);

/** DescribeLogGroups: the last name of the page. */
export const isGroupAfter = (v: unknown): v is { n: string } => isObject(v) && typeof v.n === 'string';

/** DescribeLogStreams: the last stream of the page (name, last event time, row id). */
export const isStreamAfter = (v: unknown): v is { name: string; lastEvent: number; id: number } =>
  isObject(v) && typeof v.name === 'string' && num(v.lastEvent) && int(v.id);

function invalid(): LogStoreError {
  return new LogStoreError('InvalidToken', 'The token is not one this log store handed out.');
}
