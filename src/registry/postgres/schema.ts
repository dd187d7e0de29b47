// The registry's PostgreSQL schema: the same tables and columns as SQLite's (rows.ts reads both),
// in one migration (lambkin_migrations, store 'registry'). Names sort in byte order (COLLATE "C"),
// as SQLite sorts them, so ListFunctions pages the same on both.
import type { Migrations } from '../../database/index.js';

export const REGISTRY_POSTGRES: Migrations = {
  store: 'registry',
  steps: [
    `CREATE TABLE functions (
       name                 TEXT COLLATE "C" PRIMARY KEY,
       config               TEXT NOT NULL,
       version              TEXT NOT NULL,
       code_sha256          TEXT NOT NULL,
       code_size            BIGINT NOT NULL,
       revision_id          TEXT NOT NULL,
       last_modified        TEXT NOT NULL,
       tags                 TEXT NOT NULL,
       reserved_concurrency INTEGER,
       last_version         INTEGER NOT NULL DEFAULT 0
     );
     CREATE TABLE versions (
       name          TEXT COLLATE "C" NOT NULL,
       version       INTEGER NOT NULL,
       config        TEXT NOT NULL,
       code_sha256   TEXT NOT NULL,
       code_size     BIGINT NOT NULL,
       revision_id   TEXT NOT NULL,
       last_modified TEXT NOT NULL,
       PRIMARY KEY (name, version)
     );
     CREATE TABLE aliases (
       name             TEXT COLLATE "C" NOT NULL,
       alias            TEXT COLLATE "C" NOT NULL,
       function_version TEXT NOT NULL,
       description      TEXT NOT NULL,
       weights          TEXT NOT NULL,
       revision_id      TEXT NOT NULL,
       PRIMARY KEY (name, alias)
     );
     CREATE TABLE function_settings (
       name      TEXT COLLATE "C" NOT NULL,
       qualifier TEXT COLLATE "C" NOT NULL,
       kind      TEXT NOT NULL,
       value     TEXT NOT NULL,
       PRIMARY KEY (name, qualifier, kind)
     )`,
    // Code packages (postgres/code-store.ts): each zip once, by hash, for every machine to unpack.
    // created_at: an unreferenced package is removed only once it is older than a grace period,
    // so that a node's upload is not collected before the row that refers to it is written.
    `CREATE TABLE code_packages (
       sha256     TEXT PRIMARY KEY,
       size       BIGINT NOT NULL,
       zip        BYTEA NOT NULL,
       created_at TIMESTAMPTZ NOT NULL DEFAULT now()
     )`,
    // Layers, as in SQLite: last_version is never reused, even once every version is deleted.
    `CREATE TABLE layers (
       name         TEXT COLLATE "C" PRIMARY KEY,
       last_version INTEGER NOT NULL
     );
     CREATE TABLE layer_versions (
       name        TEXT COLLATE "C" NOT NULL,
       version     INTEGER NOT NULL,
       code_sha256 TEXT NOT NULL,
       data        TEXT NOT NULL,
       PRIMARY KEY (name, version)
     )`,
  ],
};
