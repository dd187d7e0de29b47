// How an invocation and its result travel between nodes: one NATS message each, a small JSON
// header and the payload as raw bytes behind it — never base64, so that a 6 MB payload stays
// 6 MB (NATS carries up to max_payload, at least 7 MB on a cluster: nats.ts). Layout:
// 4 bytes (big-endian) header length, the header's UTF-8 JSON, the body.
import type { InvocationInput, InvocationResult } from '../scheduler/invocation.js';

export interface Frame {
  readonly header: Record<string, unknown>;
  readonly body: Buffer;
}

export function encodeFrame(header: object, body?: Uint8Array): Uint8Array {
  const head = Buffer.from(JSON.stringify(header));
  const out = Buffer.allocUnsafe(4 + head.length + (body?.length ?? 0));
  out.writeUInt32BE(head.length, 0);
  head.copy(out, 4);
  if (body) out.set(body, 4 + head.length);
  return out;
}

/** Undefined for anything that is not a frame (a stray publisher on the subject). */
export function decodeFrame(data: Uint8Array): Frame | undefined {
  if (data.length < 4) return undefined;
  const all = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const n = all.readUInt32BE(0);
  if (4 + n > all.length) return undefined;
  try {
    const header = JSON.parse(all.toString('utf8', 4, 4 + n)) as unknown;
    if (typeof header !== 'object' || header === null) return undefined;
    return { header: header as Record<string, unknown>, body: all.subarray(4 + n) };
  } catch {
    return undefined;
  }
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
}

export function encodeRequest(fn: VersionRef, input: InvocationInput): Uint8Array {
  const { payload, stream: _stream, ...rest } = input;
  return encodeFrame({ fn: { name: fn.name, version: fn.version, revisionId: fn.revisionId }, input: rest }, payload);
}

export function decodeRequest(data: Uint8Array): InvokeRequest | undefined {
  const frame = decodeFrame(data);
  const fn = frame?.header.fn as Partial<VersionRef> | undefined;
  const input = frame?.header.input as Partial<InvocationInput> | undefined;
  if (!frame || typeof fn?.name !== 'string' || typeof fn.version !== 'string' || typeof fn.revisionId !== 'string') return undefined;
  if (typeof input?.requestId !== 'string' || typeof input.invokedArn !== 'string') return undefined;
  return {
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
  | { readonly t: 'result'; readonly result: InvocationResult }
  | { readonly t: 'busy' }
  | { readonly t: 'throttled'; readonly reason: string; readonly message: string }
  | { readonly t: 'failed'; readonly message: string };

export function encodeReply(reply: Reply): Uint8Array {
  if (reply.t !== 'result') return encodeFrame(reply);
  const { payload, ...rest } = reply.result;
  return encodeFrame({ t: 'result', result: rest }, payload);
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
      return r && typeof r.requestId === 'string' ? { t: 'result', result: { ...r, payload: frame.body } } : undefined;
    }
    default: return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
