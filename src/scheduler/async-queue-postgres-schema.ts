// The PostgreSQL schema of the async queue, as steps for the one migration runner (database/
// migrate.ts: `{ store, steps }`, each step moving the schema one version up; never edit a step that
// has shipped, add one). Times are ms since the epoch (BIGINT), as in async.db.
//
// claimed_by / claimed_until: which node runs the event and until when its claim holds (a lease, so
// that a node that died without finishing lets another take it once the lease is over).

export const ASYNC_QUEUE_MIGRATIONS = {
  store: 'async-queue',
  steps: [
    `CREATE TABLE IF NOT EXISTS async_events (
       seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL,
       payload BYTEA NOT NULL, enqueued_at BIGINT NOT NULL, attempts INTEGER NOT NULL, next_at BIGINT NOT NULL,
       claimed_by TEXT, claimed_until BIGINT);
     CREATE INDEX IF NOT EXISTS async_events_due ON async_events (next_at, seq);
     CREATE TABLE IF NOT EXISTS async_dead_letters (
       seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL,
       payload BYTEA NOT NULL, enqueued_at BIGINT NOT NULL, failed_at BIGINT NOT NULL, attempts INTEGER NOT NULL,
       condition TEXT NOT NULL, error_type TEXT, error_message TEXT);
     CREATE INDEX IF NOT EXISTS async_dead_letters_by_function ON async_dead_letters (function, seq);
     CREATE TABLE IF NOT EXISTS async_dead_letter_drops (function TEXT PRIMARY KEY, dropped BIGINT NOT NULL);`,
  ],
} as const;
