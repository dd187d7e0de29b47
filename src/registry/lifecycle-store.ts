// The SQLite statements of the lifecycle tables (schema in store.ts): published versions, aliases,
// per-qualifier settings, and the per-function counter that numbers versions.
import type Database from 'better-sqlite3';
import type { FunctionConfig } from './types.js';

export interface VersionRow {
  readonly name: string;
  readonly version: number;
  readonly config: FunctionConfig;
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly revisionId: string;
  readonly lastModified: string;
}

export interface AliasRow {
  readonly name: string;
  readonly alias: string;
  readonly functionVersion: string;
  readonly description: string;
  readonly weights: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

export interface SettingRow {
  readonly name: string;
  readonly qualifier: string;
  readonly kind: string;
  readonly value: unknown;
}

interface RawVersion {
  name: string;
  version: number;
  config: string;
  code_sha256: string;
  code_size: number;
  revision_id: string;
  last_modified: string;
}

interface RawAlias {
  name: string;
  alias: string;
  function_version: string;
  description: string;
  weights: string;
  revision_id: string;
}

export class LifecycleTables {
  private readonly s;

  constructor(readonly db: Database.Database) {
    this.s = {
      versions: db.prepare<[], RawVersion>('SELECT * FROM versions'),
      insertVersion: db.prepare<RawVersion>(
        `INSERT INTO versions (name, version, config, code_sha256, code_size, revision_id, last_modified)
         VALUES (@name, @version, @config, @code_sha256, @code_size, @revision_id, @last_modified)`,
      ),
      deleteVersion: db.prepare<[string, number]>('DELETE FROM versions WHERE name = ? AND version = ?'),
      lastVersion: db.prepare<[string], { last_version: number }>('SELECT last_version FROM functions WHERE name = ?'),
      setLastVersion: db.prepare<[number, string]>('UPDATE functions SET last_version = ? WHERE name = ?'),
      aliases: db.prepare<[], RawAlias>('SELECT * FROM aliases'),
      upsertAlias: db.prepare<RawAlias>(
        `INSERT INTO aliases (name, alias, function_version, description, weights, revision_id)
         VALUES (@name, @alias, @function_version, @description, @weights, @revision_id)
         ON CONFLICT (name, alias) DO UPDATE SET function_version = excluded.function_version,
           description = excluded.description, weights = excluded.weights, revision_id = excluded.revision_id`,
      ),
      deleteAlias: db.prepare<[string, string]>('DELETE FROM aliases WHERE name = ? AND alias = ?'),
      settings: db.prepare<[], { name: string; qualifier: string; kind: string; value: string }>('SELECT * FROM function_settings'),
      putSetting: db.prepare<[string, string, string, string]>(
        `INSERT INTO function_settings (name, qualifier, kind, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (name, qualifier, kind) DO UPDATE SET value = excluded.value`,
      ),
      deleteSetting: db.prepare<[string, string, string]>('DELETE FROM function_settings WHERE name = ? AND qualifier = ? AND kind = ?'),
      deleteQualifierSettings: db.prepare<[string, string]>('DELETE FROM function_settings WHERE name = ? AND qualifier = ?'),
      deleteAllVersions: db.prepare<[string]>('DELETE FROM versions WHERE name = ?'),
      deleteAllAliases: db.prepare<[string]>('DELETE FROM aliases WHERE name = ?'),
      deleteAllSettings: db.prepare<[string]>('DELETE FROM function_settings WHERE name = ?'),
    };
  }

  versions(): VersionRow[] {
    return this.s.versions.all().map((r) => ({
      name: r.name, version: r.version, config: JSON.parse(r.config) as FunctionConfig, codeSha256: r.code_sha256,
      codeSize: r.code_size, revisionId: r.revision_id, lastModified: r.last_modified,
    }));
  }

  insertVersion(row: VersionRow): void {
    this.s.insertVersion.run({
      name: row.name, version: row.version, config: JSON.stringify(row.config), code_sha256: row.codeSha256,
      code_size: row.codeSize, revision_id: row.revisionId, last_modified: row.lastModified,
    });
  }

  deleteVersion(name: string, version: number): void {
    this.s.deleteVersion.run(name, version);
  }

  lastVersion(name: string): number {
    return this.s.lastVersion.get(name)?.last_version ?? 0;
  }

  setLastVersion(name: string, version: number): void {
    this.s.setLastVersion.run(version, name);
  }

  aliases(): AliasRow[] {
    return this.s.aliases.all().map((r) => ({
      name: r.name, alias: r.alias, functionVersion: r.function_version, description: r.description,
      weights: JSON.parse(r.weights) as Record<string, number>, revisionId: r.revision_id,
    }));
  }

  putAlias(row: AliasRow): void {
    this.s.upsertAlias.run({
      name: row.name, alias: row.alias, function_version: row.functionVersion, description: row.description,
      weights: JSON.stringify(row.weights), revision_id: row.revisionId,
    });
  }

  deleteAlias(name: string, alias: string): void {
    this.s.deleteAlias.run(name, alias);
  }

  settings(): SettingRow[] {
    return this.s.settings.all().map((r) => ({ ...r, value: JSON.parse(r.value) as unknown }));
  }

  putSetting(row: SettingRow): void {
    this.s.putSetting.run(row.name, row.qualifier, row.kind, JSON.stringify(row.value));
  }

  deleteSetting(name: string, qualifier: string, kind: string): void {
    this.s.deleteSetting.run(name, qualifier, kind);
  }

  /** Everything that hangs off one qualifier (a version or alias being deleted). */
  deleteQualifier(name: string, qualifier: string): void {
    this.s.deleteQualifierSettings.run(name, qualifier);
  }

  /** Everything of a function's lifecycle (the function is being deleted). */
  deleteFunction(name: string): void {
    this.s.deleteAllVersions.run(name);
    this.s.deleteAllAliases.run(name);
    this.s.deleteAllSettings.run(name);
  }
}
