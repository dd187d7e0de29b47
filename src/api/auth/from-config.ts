// Who may call, decided once at start: SigV4 with the configured credentials, or — without
// credentials — nobody but the local machine (a loopback address), else the server refuses to start.
import { ConfigError, type ServerConfig } from '../../config.js';
import { isLoopback, loadCredentials } from '../../credentials.js';
import { SigV4Verifier } from './sigv4.js';

/** SigV4 when credentials are configured; without them, only a loopback address may be used. */
export function verifierFor(config: ServerConfig, log: (line: string) => void): SigV4Verifier | undefined {
  const credentials = loadCredentials(config.dataDir, config); // half-given or unreadable: a ConfigError
  if (!credentials) {
    if (isLoopback(config.host)) return undefined;
    throw new ConfigError(
      `refusing to listen on ${config.host} without credentials: anyone who can reach it could deploy and run code. ` +
      `Create them with \`lambkin init-credentials --data-dir ${config.dataDir}\` (or set LAMBKIN_ACCESS_KEY_ID and ` +
      'LAMBKIN_SECRET_ACCESS_KEY), and sign requests with them (the AWS SDK and CLI do; so does the lambkin CLI).',
    );
  }
  log(`lambkin: API requests must be signed (SigV4) with the credentials from ${credentials.source}`);
  return new SigV4Verifier(credentials);
}
