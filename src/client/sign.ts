// The signing seam. Every request passes through `Signer` exactly once, just before it is sent
// (transport.ts). Today requests go out unsigned, which a server without credentials accepts;
// SigV4 (service `lambda`, via @smithy/signature-v4) will replace `unsignedSigner` here.

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

/** Credentials from LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY (+ LAMBKIN_SESSION_TOKEN). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const accessKeyId = env.LAMBKIN_ACCESS_KEY_ID;
  const secretAccessKey = env.LAMBKIN_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.LAMBKIN_SESSION_TOKEN || undefined };
}

const unsignedSigner: Signer = async (request) => request;

/** The signer for these credentials. TODO(auth): SigV4 with @smithy/signature-v4 when set. */
export function signerFor(_credentials: Credentials | undefined): Signer {
  return unsignedSigner;
}
