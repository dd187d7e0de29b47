// The steps of a server's start that decide something (server.ts only composes): a clean run
// folder, the database checked before anything else, the sandbox backend chosen, each failure
// turned into a ConfigError that `lambkin serve` prints as it is.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ServerConfig } from '../config.js';
import { DatabaseUnavailable, Postgres } from '../database/index.js';
import { chooseSandbox, type SandboxChoice } from '../sandbox/select.js';

/** `<dataDir>/run`, emptied: environments of a previous run that did not shut down cleanly leave nothing. */
export function freshRunDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const runDir = join(dataDir, 'run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  // User code without a package.json of its own is CommonJS, as in Lambda's /var/task.
  writeFileSync(join(runDir, 'package.json'), '{"type":"commonjs"}\n');
  return runDir;
}

/** PostgreSQL, checked at start: a database that cannot be reached stops the server with a clear message. */
export async function connectDatabase(url: NonNullable<ServerConfig['databaseUrl']>, log: (line: string) => void): Promise<Postgres> {
  try {
    const db = await Postgres.connect(url, { log });
    log(`lambkin: database ${url.redacted}`);
    return db;
  } catch (err) {
    if (err instanceof DatabaseUnavailable) {
      throw new ConfigError(`${err.message}. Check that PostgreSQL is running and that --database-url / LAMBKIN_DATABASE_URL is right.`);
    }
    throw err;
  }
}

/** The configured sandbox backend (or the best this machine has), logged; unavailable is a ConfigError. */
export function openSandbox(config: ServerConfig, runDir: string, log: (line: string) => void): SandboxChoice {
  const sandbox = chooseSandbox({ runDir, sandbox: config.sandbox, network: config.network, prestart: config.prestart }, log);
  log(`lambkin: ${sandbox.summary}`);
  return sandbox;
}
