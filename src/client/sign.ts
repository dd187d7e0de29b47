// The signing seam. Every request passes through `Signer` exactly once, just before it is sent
// (transport.ts). With credentials, requests are signed with AWS Signature Version 4 (service
// `lambda`, or `logs` for the CloudWatch Logs API) by @smithy/signature-v4, the AWS SDK's own
// signer; without them they go out unsigned, which a server without credentials accepts.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SETTINGS } from '../settings.js';

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

/**
 * Credentials from LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY (+ LAMBKIN_SESSION_TOKEN), else
 * from the server's data folder (LAMBKIN_DATA_DIR, default ./.lambkin), credentials.json, as
 * `lambkin init-credentials` writes it — so the CLI next to a local server just works.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const accessKeyId = env[SETTINGS.accessKeyId.env];
  const secretAccessKey = env[SETTINGS.secretAccessKey.env];
  if (accessKeyId && secretAccessKey) {
    return { accessKeyId, secretAccessKey, sessionToken: env.LAMBKIN_SESSION_TOKEN || undefined };
  }
  return credentialsFromDataDir(resolve(env[SETTINGS.dataDir.env] || SETTINGS.dataDir.default));
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

/**
 * The signer for these credentials: SigV4 when set, unsigned otherwise. The SigV4 code (~90 ms
 * of module loading) is loaded only when credentials exist, so unsigned CLI calls start fast.
 */
export function signerFor(credentials: Credentials | undefined): Signer {
  if (!credentials) return unsignedSigner;
  const signer = import('./sigv4-signer.js').then((m) => m.sigV4Signer(credentials));
  return async (request) => (await signer)(request);
}
