// The registry's SQLite schema. PRAGMA user_version counts the steps applied (src/database/
// migrate.ts); never edit a step that has shipped, add one.
import type { Migrations } from '../../database/index.js';

export const REGISTRY_SQLITE: Migrations = {
  store: 'registry',
  steps: [
    `CREATE TABLE functions (
       name          TEXT PRIMARY KEY,
       config        TEXT NOT NULL,    -- FunctionConfig as JSON
       version       TEXT NOT NULL,
       code_sha256   TEXT NOT NULL,    -- lowercase hex; the code store's address
       code_size     INTEGER NOT NULL,
       revision_id   TEXT NOT NULL,
       last_modified TEXT NOT NULL,
       tags          TEXT NOT NULL     -- JSON object
     ) STRICT`,
    // Reserved concurrency (PutFunctionConcurrency): NULL = none. Not part of the revision.
    `ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER`,
    // Published versions, aliases, and per-qualifier settings (event invoke config, function URL,
    // provisioned concurrency). last_version numbers versions: a number is never reused.
    `ALTER TABLE functions ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
     CREATE TABLE versions (
       name          TEXT NOT NULL,
       version       INTEGER NOT NULL,
       config        TEXT NOT NULL,
       code_sha256   TEXT NOT NULL,
       code_size     INTEGER NOT NULL,
       revision_id   TEXT NOT NULL,
       last_modified TEXT NOT NULL,
       PRIMARY KEY (name, version)
     ) STRICT;
     CREATE TABLE aliases (
       name             TEXT NOT NULL,
       alias            TEXT NOT NULL,
       function_version TEXT NOT NULL,
       description      TEXT NOT NULL,
       weights          TEXT NOT NULL, -- JSON {version: weight}
       revision_id      TEXT NOT NULL,
       PRIMARY KEY (name, alias)
     ) STRICT;
     CREATE TABLE function_settings (
       name      TEXT NOT NULL,
       qualifier TEXT NOT NULL, -- '$LATEST', a version or an alias
       kind      TEXT NOT NULL, -- 'event-invoke' | 'url' | 'provisioned'
       value     TEXT NOT NULL, -- JSON
       PRIMARY KEY (name, qualifier, kind)
     ) STRICT`,
    // Layers: last_version numbers a layer's versions (never reused, even once all are deleted).
    `CREATE TABLE layers (
       name         TEXT PRIMARY KEY,
       last_version INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE layer_versions (
       name        TEXT NOT NULL,
       version     INTEGER NOT NULL,
       code_sha256 TEXT NOT NULL,
       data        TEXT NOT NULL, -- description, runtimes, architectures, licence, policy (JSON)
       PRIMARY KEY (name, version)
     ) STRICT`,
  ],
};
