// SigV4 request signing with @smithy/signature-v4, the AWS SDK's own signer (loaded lazily by
// sign.ts, only when credentials are configured).
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import type { Credentials, Signer } from './sign.js';

/** The region lambkin's ARNs use; the server accepts any region in the credential scope. */
const SIGNING_REGION = 'us-east-1';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export function sigV4Signer(credentials: Credentials): Signer {
  const signers = new Map<string, SignatureV4>();
  const signerOf = (service: string) => {
    let s = signers.get(service);
    if (!s) {
      s = new SignatureV4({ credentials, region: SIGNING_REGION, service, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
      signers.set(service, s);
    }
    return s;
  };
  return async (request) => {
    const target = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
    const service = target?.startsWith('Logs_') ? 'logs' : 'lambda';
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of request.url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const signed = await signerOf(service).sign({
      method: request.method, protocol: request.url.protocol, hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined, path: request.url.pathname, query,
      headers: { ...request.headers, host: request.url.host }, body: request.body,
    });
    // node:http (or fetch) sets Host itself, from the URL, as signed.
    const { host: _host, ...headers } = signed.headers;
    return { ...request, headers };
  };
}
