// Signing API calls in the browser when the server has credentials: the same SigV4 signer the
// AWS SDK uses (@smithy/signature-v4) with a pure-JS SHA-256 (it works on plain http:// pages,
// where the browser's WebCrypto is unavailable on non-loopback addresses).
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface Unsigned {
  readonly method: string;
  /** Path as sent (percent-encoded). */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const REGION = 'us-east-1';
let cached: { key: string; signer: SignatureV4 } | undefined;

/** The headers to add (authorization, x-amz-date). `host` is signed as the browser will send it. */
export async function sign(req: Unsigned, creds: Credentials): Promise<Record<string, string>> {
  const key = `${creds.accessKeyId}:${creds.secretAccessKey}`;
  if (cached?.key !== key) {
    cached = { key, signer: new SignatureV4({ credentials: creds, region: REGION, service: 'lambda', sha256: Sha256, uriEscapePath: true, applyChecksum: false }) };
  }
  const signed = await cached.signer.sign({
    method: req.method, protocol: location.protocol, hostname: location.hostname, port: location.port ? Number(location.port) : undefined,
    path: req.path, query: req.query, headers: { ...req.headers, host: location.host }, body: req.body,
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') out[k] = String(v);
  return out;
}
