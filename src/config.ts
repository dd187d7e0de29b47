// Server configuration: flags win over LAMBKIN_* environment variables, which win over defaults.
// Every value is checked here, once, with a message that says what is wrong and what is allowed.
import { totalmem } from 'node:os';
import { resolve } from 'node:path';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly idleTimeoutSeconds: number;
  readonly maxConcurrency: number;
  readonly initTimeoutSeconds: number;
}

/** Flags as commander gives them (strings), before defaults. */
export interface ServerFlags {
  readonly host?: string;
  readonly port?: string;
  readonly dataDir?: string;
  readonly idleTimeout?: string;
  readonly maxConcurrency?: string;
  readonly initTimeout?: string;
}

export class ConfigError extends Error {}

/** One environment per 128 MB of the machine's memory, at most 1000 (Lambda's default quota). */
export function defaultMaxConcurrency(): number {
  return Math.max(1, Math.min(1000, Math.floor(totalmem() / (128 * 1024 * 1024))));
}

export function resolveConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const pick = (flag: string | undefined, name: string) => flag ?? env[`LAMBKIN_${name}`];
  return Object.freeze({
    host: pick(flags.host, 'HOST') ?? '127.0.0.1',
    port: int(pick(flags.port, 'PORT'), 9000, 0, 65535, '--port / LAMBKIN_PORT'),
    dataDir: resolve(pick(flags.dataDir, 'DATA_DIR') ?? '.lambkin'),
    idleTimeoutSeconds: int(pick(flags.idleTimeout, 'IDLE_TIMEOUT'), 600, 1, 3600, '--idle-timeout / LAMBKIN_IDLE_TIMEOUT (seconds)'),
    maxConcurrency: int(pick(flags.maxConcurrency, 'MAX_CONCURRENCY'), defaultMaxConcurrency(), 1, 100_000, '--max-concurrency / LAMBKIN_MAX_CONCURRENCY'),
    initTimeoutSeconds: int(pick(flags.initTimeout, 'INIT_TIMEOUT'), 10, 1, 900, '--init-timeout / LAMBKIN_INIT_TIMEOUT (seconds)'),
  });
}

function int(raw: string | undefined, fallback: number, min: number, max: number, what: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, not '${raw}'`);
  }
  return n;
}
