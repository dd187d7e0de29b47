// The PostgreSQL schema of the console's store, as steps for the one migration runner (database/
// migrate.ts: `{ store, steps }`; never edit a step that has shipped, add one). Recorded events and
// responses are BYTEA (their UTF-8): a function's response may hold a NUL, which TEXT refuses.
export const CONSOLE_STORE_MIGRATIONS = {
  store: 'console',
  steps: [
    `CREATE TABLE IF NOT EXISTS console_deploys (
       id BIGSERIAL PRIMARY KEY, function_name TEXT NOT NULL, at BIGINT NOT NULL, kind TEXT NOT NULL, version TEXT,
       code_sha256 TEXT, code_size BIGINT, revision_id TEXT, runtime TEXT, handler TEXT, memory_size INTEGER, timeout INTEGER);
     CREATE INDEX IF NOT EXISTS console_deploys_function ON console_deploys (function_name, id);
     CREATE TABLE IF NOT EXISTS console_payloads (
       id BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, at BIGINT NOT NULL,
       event BYTEA NOT NULL, response BYTEA NOT NULL, truncated BOOLEAN NOT NULL);
     CREATE INDEX IF NOT EXISTS console_payloads_at ON console_payloads (at);`,
  ],
} as const;
