// Query-string parameters of the investigation API, checked strictly: a bad value is a 400 that
// names the parameter and what it takes. Times are epoch milliseconds, ISO 8601, or relative to
// now (`15m`, `2h`, `7d`, `30s`, `1w`). Cursors and positions are the log store's tokens, passed
// through as they are.
import { apiError } from '../../errors.js';
import type { ApiRequest } from '../http.js';
import type { Registry } from '../../registry/index.js';
import { LogStoreError } from '../../logs/index.js';

const invalid = (message: string) => apiError('InvalidParameterValueException', message);

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A point in time: epoch ms, ISO 8601, or `<n><s|m|h|d|w>` ago. */
export function parseTime(value: string, now = Date.now()): number | undefined {
  const rel = /^(\d+)([smhdw])$/.exec(value);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d+$/.test(value)) return Number(value);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

export class Query {
  constructor(private readonly req: ApiRequest) {}

  string(name: string): string | undefined {
    const v = this.req.query.get(name);
    return v === null || v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw invalid(`The query parameter '${name}' is required.`);
    return v;
  }

  time(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const t = parseTime(v);
    if (t === undefined) throw invalid(`'${name}' must be epoch milliseconds, an ISO 8601 time or a duration such as 15m, 2h, 7d (got '${v}').`);
    return t;
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw invalid(`'${name}' must be a whole number from ${min} to ${max} (got '${v}').`);
    return n;
  }

  number(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw invalid(`'${name}' must be a number ≥ 0 (got '${v}').`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalid(`'${name}' must be true or false (got '${v}').`);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) throw invalid(`'${name}' must be one of ${values.join(', ')} (got '${v}').`);
    return v as T;
  }
}

/** The store's answer to a read given a token from `name`; a token it refuses is a 400 naming `name`. */
export async function withToken<T>(name: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof LogStoreError && err.code === 'InvalidToken') throw invalid(`'${name}' is not a cursor this server handed out.`);
    throw err;
  }
}

/** The log group a function writes to (its LoggingConfig, else /aws/lambda/<name>). */
export function logGroupOf(registry: Registry, functionName: string): string {
  return registry.get(functionName)?.config.loggingConfig.logGroup ?? `/aws/lambda/${functionName}`;
}
