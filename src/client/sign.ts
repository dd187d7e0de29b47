// The signing seam. Every request passes through `Signer` exactly once, just before it is sent
// (transport.ts). With credentials, requests are signed with AWS Signature Version 4 (service
// `lambda`, or `logs` for the CloudWatch Logs API) by @smithy/signature-v4, the AWS SDK's own
// signer; without them they go out unsigned, which a server without credentials accepts.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request as it will be sent: everything SigV4 needs to sign it. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

export type Signer = (request: HttpRequest) => Promise<HttpRequest>;

/** The region lambkin's ARNs use; the server accepts any region in the credential scope. */
const SIGNING_REGION = 'us-east-1';

/**
 * Credentials from LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY (+ LAMBKIN_SESSION_TOKEN), else
 * from the server's data folder (LAMBKIN_DATA_DIR, default ./.lambkin), credentials.json, as
 * `lambkin init-credentials` writes it — so the CLI next to a local server just works.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const accessKeyId = env.LAMBKIN_ACCESS_KEY_ID;
  const secretAccessKey = env.LAMBKIN_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    return { accessKeyId, secretAccessKey, sessionToken: env.LAMBKIN_SESSION_TOKEN || undefined };
  }
  return credentialsFromDataDir(resolve(env.LAMBKIN_DATA_DIR || '.lambkin'));
}

export function credentialsFromDataDir(dataDir: string): Credentials | undefined {
  const file = join(dataDir, 'credentials.json');
  if (!existsSync(file)) return undefined;
  try {
    const { accessKeyId, secretAccessKey } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof accessKeyId === 'string' && typeof secretAccessKey === 'string') return { accessKeyId, secretAccessKey };
  } catch {
    // unreadable or not ours: unsigned, and the server says what it wants
  }
  return undefined;
}

const unsignedSigner: Signer = async (request) => request;

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** The signer for these credentials: SigV4 when set, unsigned otherwise. */
export function signerFor(credentials: Credentials | undefined): Signer {
  if (!credentials) return unsignedSigner;
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
    // fetch sets Host itself (from the URL, as signed).
    const { host: _host, ...headers } = signed.headers;
    return { ...request, headers };
  };
}
