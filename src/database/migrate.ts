// One schema migration runner for both kinds of database. A store names itself and lists its
// steps; each step moves its schema one version up, and the runner applies the missing ones in
// one transaction (PostgreSQL's DDL is transactional too), so a crash leaves the old schema or the
// new one, never half of it. A database newer than this lambkin is refused, not downgraded: a
// ConfigError, so that `lambkin serve` says so in one line and what to do.
//
// Where the version is kept: SQLite, one store per file, in PRAGMA user_version (what lambkin has
// always used, so existing data folders migrate on). PostgreSQL, several stores in one database,
// in lambkin_migrations(store, version), one row per step applied; an advisory lock held for the
// transaction makes two nodes starting at once take turns instead of both creating the same table.
import type Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import type { Postgres } from './postgres.js';

export interface Migrations {
  /** Which store's schema (the PostgreSQL key; e.g. 'registry', 'logs'). */
  readonly store: string;
  /** Each entry moves the schema one version up; never edit or remove one that has shipped. */
  readonly steps: readonly string[];
}

/** Any number will do as long as every lambkin uses the same: the advisory lock's key. */
const LOCK_KEY = 0x6c616d62; // 'lamb'

/** The steps still to apply from `current`, or an error if the database is ahead of us. */
function pending(current: number, m: Migrations, where: string): readonly string[] {
  if (current > m.steps.length) {
    throw new ConfigError(`${where} has ${m.store} schema version ${current}; this lambkin knows up to ${m.steps.length}. ` +
      'Run a newer lambkin, or point this one at another database.');
  }
  return m.steps.slice(current);
}

export function migrateSqlite(db: Database.Database, where: string, m: Migrations): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    const steps = pending(current, m, where);
    for (const step of steps) db.exec(step);
    if (steps.length > 0) db.pragma(`user_version = ${m.steps.length}`);
  }).immediate(); // IMMEDIATE: two processes opening one file at once take turns
}

export async function migratePostgres(pg: Postgres, m: Migrations): Promise<void> {
  await pg.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS lambkin_migrations (
      store      TEXT NOT NULL,
      version    INTEGER NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (store, version))`);
    const [row] = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM lambkin_migrations WHERE store = $1', [m.store]);
    const current = row?.v ?? 0;
    const steps = pending(current, m, pg.url.redacted);
    for (const [i, step] of steps.entries()) {
      await tx.query(step);
      await tx.query('INSERT INTO lambkin_migrations (store, version) VALUES ($1, $2)', [m.store, current + i + 1]);
    }
  });
}
