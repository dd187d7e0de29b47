// The registry's SQLite database: schema, migrations and the function table's statements.
// Journal: WAL (readers never wait for the writer). synchronous=FULL: a function write is
// acknowledged to the caller (201/200) only once it survives a power cut, and control-plane writes
// are rare enough that the extra fsync per commit costs nothing noticeable. (NORMAL would stay
// consistent, but could forget an acknowledged CreateFunction after a power loss.)
import Database from 'better-sqlite3';
import { migrate } from '../sqlite-migrate.js';
import type { FunctionConfig } from './types.js';

/** Each entry moves the schema one version up; PRAGMA user_version records how far we are. */
const MIGRATIONS: readonly string[] = [
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
  // The lifecycle (lifecycle-store.ts): published versions, aliases, and per-qualifier settings
  // (event invoke config, function URL, provisioned concurrency). last_version numbers versions:
  // a number is never reused, even after its version was deleted.
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
];

export interface FunctionRow {
  readonly name: string;
  readonly config: FunctionConfig;
  readonly version: string;
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly revisionId: string;
  readonly lastModified: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly reservedConcurrency: number | undefined;
}

interface RawRow {
  name: string;
  config: string;
  version: string;
  code_sha256: string;
  code_size: number;
  revision_id: string;
  last_modified: string;
  tags: string;
  reserved_concurrency: number | null;
}

export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db, path, MIGRATIONS);
  return db;
}

export class FunctionTable {
  private readonly selectAll;
  private readonly selectOne;
  private readonly selectPage;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(readonly db: Database.Database) {
    this.selectAll = db.prepare<[], RawRow>('SELECT * FROM functions');
    this.selectOne = db.prepare<[string], RawRow>('SELECT * FROM functions WHERE name = ?');
    this.selectPage = db.prepare<[string, number], { name: string }>(
      'SELECT name FROM functions WHERE name > ? ORDER BY name LIMIT ?',
    );
    this.insertRow = db.prepare<RawRow>(
      `INSERT INTO functions (name, config, version, code_sha256, code_size, revision_id, last_modified, tags, reserved_concurrency)
       VALUES (@name, @config, @version, @code_sha256, @code_size, @revision_id, @last_modified, @tags, @reserved_concurrency)`,
    );
    this.updateRow = db.prepare<RawRow>(
      `UPDATE functions SET config = @config, version = @version, code_sha256 = @code_sha256,
         code_size = @code_size, revision_id = @revision_id, last_modified = @last_modified, tags = @tags,
         reserved_concurrency = @reserved_concurrency
       WHERE name = @name`,
    );
    this.deleteRow = db.prepare<[string]>('DELETE FROM functions WHERE name = ?');
  }

  all(): FunctionRow[] {
    return this.selectAll.all().map(fromRaw);
  }

  get(name: string): FunctionRow | undefined {
    const raw = this.selectOne.get(name);
    return raw && fromRaw(raw);
  }

  /** Names after `after` (exclusive), in order. */
  names(after: string, limit: number): string[] {
    return this.selectPage.all(after, limit).map((r) => r.name);
  }

  insert(row: FunctionRow): void {
    this.insertRow.run(toRaw(row));
  }

  update(row: FunctionRow): void {
    this.updateRow.run(toRaw(row));
  }

  delete(name: string): boolean {
    return this.deleteRow.run(name).changes > 0;
  }
}

function toRaw(row: FunctionRow): RawRow {
  return {
    name: row.name,
    config: JSON.stringify(row.config),
    version: row.version,
    code_sha256: row.codeSha256,
    code_size: row.codeSize,
    revision_id: row.revisionId,
    last_modified: row.lastModified,
    tags: JSON.stringify(row.tags),
    reserved_concurrency: row.reservedConcurrency ?? null,
  };
}

function fromRaw(raw: RawRow): FunctionRow {
  return {
    name: raw.name,
    config: JSON.parse(raw.config) as FunctionConfig,
    version: raw.version,
    codeSha256: raw.code_sha256,
    codeSize: raw.code_size,
    revisionId: raw.revision_id,
    lastModified: raw.last_modified,
    tags: JSON.parse(raw.tags) as Record<string, string>,
    reservedConcurrency: raw.reserved_concurrency ?? undefined,
  };
}
