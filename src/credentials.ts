// The server's credentials, shared by the server (api/) and `lambkin init-credentials` (cli/):
// LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY, else <dataDir>/credentials.json (written by
// `lambkin init-credentials`, mode 0600). When there are none, the API accepts any request — which
// is why a server without them may only listen on a loopback address.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

export interface ServerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Where they came from, for messages. */
  readonly source: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

/** The credentials the server requires: the pair given in its environment (config.ts), else the data folder's file. */
export function loadCredentials(dataDir: string, given: { readonly accessKeyId?: string; readonly secretAccessKey?: string }): ServerCredentials | undefined {
  const id = given.accessKeyId;
  const secret = given.secretAccessKey;
  if (id || secret) {
    if (!id || !secret) throw new ConfigError('set both LAMBKIN_ACCESS_KEY_ID and LAMBKIN_SECRET_ACCESS_KEY, or neither');
    return { accessKeyId: id, secretAccessKey: secret, source: 'LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY' };
  }
  const file = join(dataDir, CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON (${(err as Error).message})`);
  }
  const { accessKeyId, secretAccessKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || !accessKeyId || !secretAccessKey) {
    throw new ConfigError(`${file} must hold {"accessKeyId": "…", "secretAccessKey": "…"}`);
  }
  return { accessKeyId, secretAccessKey, source: file };
}

/** A new key pair in AWS's shapes: AKIA + 16 base32 characters, a 40-character secret. */
export function generateCredentials(): { accessKeyId: string; secretAccessKey: string } {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((b) => alphabet[b % 32]).join('');
  const secret = randomBytes(30).toString('base64').replaceAll('+', 'A').replaceAll('/', 'B');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: secret };
}

/** Write <dataDir>/credentials.json (0600). Refuses to overwrite unless `force`. */
export function writeCredentialsFile(dataDir: string, force = false): { file: string; accessKeyId: string; secretAccessKey: string } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file) && !force) throw new ConfigError(`${file} exists already (--force replaces it)`);
  const creds = generateCredentials();
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600, flag: force ? 'w' : 'wx' });
  return { file, ...creds };
}

/** 127.0.0.0/8, ::1 and `localhost`: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}
