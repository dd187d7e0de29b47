// PUT /2022-07-01/telemetry: an extension's subscription — where to (an HTTP listener in the
// sandbox), which streams (platform, function, extension) and how to batch (Lambda's bounds and
// defaults). Anything else is refused with a sentence saying what to change.
import type { Refusal } from '../runtime-api/host.js';

export type TelemetryType = 'platform' | 'function' | 'extension';

export interface Subscription {
  readonly port: number;
  /** Path and query of the destination URI. */
  readonly path: string;
  readonly hostHeader: string;
  readonly types: ReadonlySet<TelemetryType>;
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** Lambda's bounds: [min, max, default]. */
export const BUFFERING = {
  maxItems: [1_000, 10_000, 10_000],
  maxBytes: [262_144, 1_048_576, 262_144],
  timeoutMs: [25, 30_000, 1_000],
} as const;

const TYPES: readonly TelemetryType[] = ['platform', 'function', 'extension'];
const HOSTS = ['sandbox.localdomain', 'sandbox', 'localhost', '127.0.0.1'];

export function parseSubscription(raw: Buffer): Subscription | Refusal {
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return bad('The body must be a JSON object.');
    doc = parsed as Record<string, unknown>;
  } catch {
    return bad('The body is not valid JSON.');
  }
  const types = doc.types;
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => TYPES.includes(t as TelemetryType))) {
    return bad('types must be a non-empty list of platform, function and extension.');
  }
  const dest = doc.destination as { protocol?: unknown; URI?: unknown } | undefined;
  if (dest?.protocol !== 'HTTP' || typeof dest.URI !== 'string' || dest.URI.length > 2048) {
    return bad('destination must be {"protocol": "HTTP", "URI": "http://sandbox.localdomain:<port>/<path>"}.');
  }
  let url: URL;
  try {
    url = new URL(dest.URI);
  } catch {
    return bad('destination.URI is not a URL.');
  }
  const port = Number(url.port);
  if (url.protocol !== 'http:' || !HOSTS.includes(url.hostname) || !Number.isInteger(port) || port < 1 || port > 65535 || port === 9001) {
    return bad('destination.URI must be http://sandbox.localdomain:<port>/... with a port of the sandbox (not 9001, the Runtime API).');
  }
  const buffering = (doc.buffering ?? {}) as Record<string, unknown>;
  if (typeof buffering !== 'object' || buffering === null) return bad('buffering must be an object.');
  const values: Record<string, number> = {};
  for (const [key, [min, max, dflt]] of Object.entries(BUFFERING)) {
    const v = buffering[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return bad(`buffering.${key} must be an integer from ${min} to ${max} (default ${dflt}).`);
    }
    values[key] = v;
  }
  return {
    port, path: `${url.pathname}${url.search}`, hostHeader: `${url.hostname}:${port}`, types: new Set(types as TelemetryType[]),
    maxItems: values.maxItems!, maxBytes: values.maxBytes!, timeoutMs: values.timeoutMs!,
  };
}

function bad(message: string): Refusal {
  return { status: 400, errorType: 'ValidationError', errorMessage: message };
}
