// How an invocation and its result travel between nodes: one NATS message each, a small JSON
// header and the payload as raw bytes behind it — never base64, so that a 6 MB payload stays
// 6 MB (NATS carries up to max_payload, at least 7 MB on a cluster: nats.ts). Layout of a reply:
// 4 bytes (big-endian) header length, the header's UTF-8 JSON, the body. A request has 8 more
// bytes after the length: the time (ms since the epoch, float64 big-endian, the sender's clock)
// after which it must not start — stamped per try by Requests.send (stampUntil), checked by the
// node that takes it (requestLate), so that a request a partition delivers late never runs.
import type { InvocationInput, InvocationResult } from '../scheduler/invocation.js';

export interface Frame {
  readonly header: Record<string, unknown>;
  readonly body: Buffer;
}

/** Bytes between the length and the JSON header: none in a reply, the deadline in a request. */
const REQUEST_GAP = 8;

export function encodeFrame(header: object, body?: Uint8Array, gap = 0): Uint8Array {
  const json = JSON.stringify(header);
  const headLength = Buffer.byteLength(json);
  const out = Buffer.allocUnsafe(4 + gap + headLength + (body?.length ?? 0));
  out.writeUInt32BE(headLength, 0);
  out.write(json, 4 + gap, 'utf8');
  if (body) out.set(body, 4 + gap + headLength);
  return out;
}

/** Undefined for anything that is not a frame (a stray publisher on the subject). */
export function decodeFrame(data: Uint8Array, gap = 0): Frame | undefined {
  if (data.length < 4 + gap) return undefined;
  const all = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const n = all.readUInt32BE(0);
  if (4 + gap + n > all.length) return undefined;
  try {
    const header = JSON.parse(all.toString('utf8', 4 + gap, 4 + gap + n)) as unknown;
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    return { header: header as Record<string, unknown>, body: all.subarray(4 + gap + n) };
  } catch {
    return undefined;
  }
}

/** Set the time after which the request must not start (each try of the same bytes gets its own). */
export function stampUntil(request: Uint8Array, until: number): void {
  new DataView(request.buffer, request.byteOffset, request.byteLength).setFloat64(4, until);
}

/** The request is past its deadline by this node's clock (or carries none that makes sense): it must not start. */
export function requestLate(req: InvokeRequest, now = Date.now()): boolean {
  return !(req.until >= now);
}

/** What of a FunctionRecord another node needs to find the same version (its own registry holds it). */
export interface VersionRef {
  readonly name: string;
  readonly version: string;
  readonly revisionId: string;
}

export interface InvokeRequest {
  readonly fn: VersionRef;
  readonly input: InvocationInput;
  /** Not to be started after this (ms since the epoch, the sender's clock). */
  readonly until: number;
}

export function encodeRequest(fn: VersionRef, input: InvocationInput): Uint8Array {
  const { payload, stream: _stream, ...rest } = input;
  return encodeFrame({ fn: { name: fn.name, version: fn.version, revisionId: fn.revisionId }, input: rest }, payload, REQUEST_GAP);
}

export function decodeRequest(data: Uint8Array): InvokeRequest | undefined {
  const frame = decodeFrame(data, REQUEST_GAP);
  const fn = frame?.header.fn as Partial<VersionRef> | undefined;
  const input = frame?.header.input as Partial<InvocationInput> | undefined;
  if (!frame || typeof fn?.name !== 'string' || typeof fn.version !== 'string' || typeof fn.revisionId !== 'string') return undefined;
  if (typeof input?.requestId !== 'string' || typeof input.invokedArn !== 'string') return undefined;
  return {
    until: new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(4),
    fn: { name: fn.name, version: fn.version, revisionId: fn.revisionId },
    input: {
      requestId: input.requestId, invokedArn: input.invokedArn, payload: frame.body, tail: input.tail === true,
      traceId: str(input.traceId), clientContext: str(input.clientContext), identity: str(input.identity),
    },
  };
}

/** A node's answers to a request: taken (by whom), done, not taken (busy), or refused (throttled). */
export type Reply =
  | { readonly t: 'accepted'; readonly node: string }
  /** `via`: over NATS, the node that ran it and how to reach it directly next time (dispatcher.ts). */
  | { readonly t: 'result'; readonly result: InvocationResult; readonly via?: Via }
  | { readonly t: 'busy' }
  | { readonly t: 'throttled'; readonly reason: string; readonly message: string }
  | { readonly t: 'failed'; readonly message: string };

/** A node that ran an invocation, and its direct link's port and key (direct-wire.ts, hex). */
export interface Via {
  readonly node: string;
  readonly port: number;
  readonly key: string;
}

export function encodeReply(reply: Reply): Uint8Array {
  if (reply.t !== 'result') return encodeFrame(reply);
  const { payload, ...rest } = reply.result;
  return encodeFrame({ t: 'result', result: rest, via: reply.via }, payload);
}

function via(v: unknown): Via | undefined {
  const o = v as Partial<Via> | undefined;
  if (typeof o !== 'object' || o === null || typeof o.node !== 'string' || typeof o.key !== 'string' || !/^[0-9a-f]{64}$/.test(o.key)) return undefined;
  return Number.isInteger(o.port) && o.port! > 0 && o.port! < 65536 ? { node: o.node, port: o.port!, key: o.key } : undefined;
}

export function decodeReply(data: Uint8Array): Reply | undefined {
  const frame = decodeFrame(data);
  const h = frame?.header;
  if (!frame || !h) return undefined;
  switch (h.t) {
    case 'accepted': return typeof h.node === 'string' ? { t: 'accepted', node: h.node } : undefined;
    case 'busy': return { t: 'busy' };
    case 'throttled': return { t: 'throttled', reason: String(h.reason), message: String(h.message) };
    case 'failed': return { t: 'failed', message: String(h.message) };
    case 'result': {
      const r = h.result as Omit<InvocationResult, 'payload'> | undefined;
      return r && typeof r.requestId === 'string' ? { t: 'result', result: { ...r, payload: frame.body }, via: via(h.via) } : undefined;
    }
    default: return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
