// database/ owns how lambkin talks to its databases: SQLite files (sqlite.ts: the pragmas every
// store uses), PostgreSQL (postgres.ts: a pool over node-postgres with timeouts), URLs whose
// password never shows (url.ts), and the one schema migration runner for both (migrate.ts).
// It knows no store's tables: each store (registry/, logs/, …) brings its own schema.
export { parseDatabaseUrl, redactUrl, withDatabase, type DatabaseUrl } from './url.js';
export { DatabaseUnavailable, Postgres, prepared, sqlState, type PostgresOptions, type Queryable } from './postgres.js';
export { migratePostgres, migrateSqlite, type Migrations } from './migrate.js';
export { openSqlite, type SqliteOptions } from './sqlite.js';
