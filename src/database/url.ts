// Database URLs: parsed once, and never shown with their password. Every message that names a
// database (start-up errors, logs, test skips) uses `redacted`, so that a password in
// --database-url or LAMBKIN_DATABASE_URL cannot reach a terminal, a log file or a CI transcript.
import { ConfigError } from '../errors.js';

export interface DatabaseUrl {
  /** The URL as given (with its password): only for the client library, never for a message. */
  readonly url: string;
  /** The URL with its password replaced by `***`: for every message. */
  readonly redacted: string;
  /** The database's name (the path without its slash). */
  readonly database: string;
}


const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/** Check a PostgreSQL URL (postgres://user:password@host:port/database?options). */
export function parseDatabaseUrl(raw: string): DatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`not a URL: '${redactUrl(raw)}'; expected postgres://user:password@host:5432/database`);
  }
  if (!PROTOCOLS.has(parsed.protocol)) {
    throw new ConfigError(`'${redactUrl(raw)}' is not a PostgreSQL URL; expected postgres://user:password@host:5432/database`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (parsed.hostname === '' || database === '' || database.includes('/')) {
    throw new ConfigError(`'${redactUrl(raw)}' must name a host and one database, e.g. postgres://user:password@host:5432/lambkin`);
  }
  return Object.freeze({ url: raw, redacted: redactUrl(raw), database });
}

/**
 * `raw` with the password (and any `password=` option) replaced by `***`. Works on text that is
 * not a valid URL too: the password must not leak through the message that says the URL is bad.
 */
export function redactUrl(raw: string): string {
  return raw
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** The same server and credentials, another database (tests create one per file). */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  const u = new URL(url.url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return parseDatabaseUrl(u.toString());
}
