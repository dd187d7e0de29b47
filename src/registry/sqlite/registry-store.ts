// The registry in a SQLite file (registry.db in the data folder): the default store. Each write
// is one IMMEDIATE transaction, so it holds the file's write lock from its first read: a `change`
// sees the row as no other writer (connection or process) can change it before the commit.
// synchronous=FULL: a write is acknowledged to the caller only once it survives a power cut;
// control-plane writes are rare enough that the fsync per commit costs nothing noticeable.
import type Database from 'better-sqlite3';
import { openSqlite } from '../../database/index.js';
import {
  ALIAS_COLUMNS, FUNCTION_COLUMNS, VERSION_COLUMNS, aliasFromRaw, aliasToRaw, functionFromRaw, functionToRaw,
  layerVersionFromRaw, layerVersionToRaw, versionFromRaw, versionToRaw, type RawAlias, type RawFunction,
  type RawLayerVersion, type RawVersion,
} from '../rows.js';
import type { AliasRow, FunctionRow, LayerVersionRow, RegistryContents, RegistryStore, VersionRow } from '../store.js';
import { REGISTRY_SQLITE } from './schema.js';

const insertSql = (table: string, columns: readonly string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;

export class SqliteRegistryStore implements RegistryStore {
  private readonly db: Database.Database;
  private readonly s;

  constructor(readonly where: string) {
    this.db = openSqlite(where, REGISTRY_SQLITE, { synchronous: 'FULL' });
    const db = this.db;
    this.s = {
      functions: db.prepare<[], RawFunction>('SELECT * FROM functions'),
      function: db.prepare<[string], RawFunction>('SELECT * FROM functions WHERE name = ?'),
      page: db.prepare<[string, number], RawFunction>('SELECT * FROM functions WHERE name > ? ORDER BY name LIMIT ?'),
      insertFunction: db.prepare<RawFunction>(`${insertSql('functions', FUNCTION_COLUMNS)} ON CONFLICT (name) DO NOTHING`),
      updateFunction: db.prepare<RawFunction>(
        `UPDATE functions SET ${FUNCTION_COLUMNS.filter((c) => c !== 'name').map((c) => `${c} = @${c}`).join(', ')} WHERE name = @name`,
      ),
      deleteFunction: db.prepare<[string]>('DELETE FROM functions WHERE name = ?'),
      lastVersion: db.prepare<[string], { last_version: number }>('SELECT last_version FROM functions WHERE name = ?'),
      setLastVersion: db.prepare<[number, string]>('UPDATE functions SET last_version = ? WHERE name = ?'),
      versions: db.prepare<[], RawVersion>('SELECT * FROM versions'),
      insertVersion: db.prepare<RawVersion>(insertSql('versions', VERSION_COLUMNS)),
      deleteVersion: db.prepare<[string, number]>('DELETE FROM versions WHERE name = ? AND version = ?'),
      aliases: db.prepare<[], RawAlias>('SELECT * FROM aliases'),
      alias: db.prepare<[string, string], RawAlias>('SELECT * FROM aliases WHERE name = ? AND alias = ?'),
      putAlias: db.prepare<RawAlias>(
        `${insertSql('aliases', ALIAS_COLUMNS)} ON CONFLICT (name, alias) DO UPDATE SET function_version = excluded.function_version,
           description = excluded.description, weights = excluded.weights, revision_id = excluded.revision_id`,
      ),
      deleteAlias: db.prepare<[string, string]>('DELETE FROM aliases WHERE name = ? AND alias = ?'),
      settings: db.prepare<[], { name: string; qualifier: string; kind: string; value: string }>('SELECT * FROM function_settings'),
      setting: db.prepare<[string, string, string], { value: string }>('SELECT value FROM function_settings WHERE name = ? AND qualifier = ? AND kind = ?'),
      putSetting: db.prepare<[string, string, string, string]>(
        `INSERT INTO function_settings (name, qualifier, kind, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (name, qualifier, kind) DO UPDATE SET value = excluded.value`,
      ),
      deleteSetting: db.prepare<[string, string, string]>('DELETE FROM function_settings WHERE name = ? AND qualifier = ? AND kind = ?'),
      deleteQualifierSettings: db.prepare<[string, string]>('DELETE FROM function_settings WHERE name = ? AND qualifier = ?'),
      deleteAllVersions: db.prepare<[string]>('DELETE FROM versions WHERE name = ?'),
      deleteAllAliases: db.prepare<[string]>('DELETE FROM aliases WHERE name = ?'),
      deleteAllSettings: db.prepare<[string]>('DELETE FROM function_settings WHERE name = ?'),
      layerVersions: db.prepare<[], RawLayerVersion>('SELECT * FROM layer_versions'),
      layerVersion: db.prepare<[string, number], RawLayerVersion>('SELECT * FROM layer_versions WHERE name = ? AND version = ?'),
      bumpLayer: db.prepare<[string], { last_version: number }>(
        `INSERT INTO layers (name, last_version) VALUES (?, 1)
         ON CONFLICT (name) DO UPDATE SET last_version = last_version + 1 RETURNING last_version`,
      ),
      insertLayerVersion: db.prepare<RawLayerVersion>('INSERT INTO layer_versions (name, version, code_sha256, data) VALUES (@name, @version, @code_sha256, @data)'),
      updateLayerVersion: db.prepare<RawLayerVersion>('UPDATE layer_versions SET code_sha256 = @code_sha256, data = @data WHERE name = @name AND version = @version'),
      deleteLayerVersion: db.prepare<[string, number]>('DELETE FROM layer_versions WHERE name = ? AND version = ?'),
    };
  }

  /** Run `work` in an IMMEDIATE transaction: the write lock is taken before the first read. */
  private write<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(work).immediate());
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  async load(): Promise<RegistryContents> {
    return {
      functions: this.s.functions.all().map(functionFromRaw),
      versions: this.s.versions.all().map(versionFromRaw),
      aliases: this.s.aliases.all().map(aliasFromRaw),
      settings: this.s.settings.all().map((r) => ({ ...r, value: JSON.parse(r.value) as unknown })),
      layerVersions: this.s.layerVersions.all().map(layerVersionFromRaw),
    };
  }

  async getFunction(name: string): Promise<FunctionRow | undefined> {
    const raw = this.s.function.get(name);
    return raw && functionFromRaw(raw);
  }

  async listFunctions(after: string, limit: number): Promise<FunctionRow[]> {
    return this.s.page.all(after, limit).map(functionFromRaw);
  }

  insertFunction(row: FunctionRow, first?: VersionRow): Promise<boolean> {
    return this.write(() => {
      if (this.s.insertFunction.run(functionToRaw(row)).changes === 0) return false;
      if (first) {
        this.s.insertVersion.run(versionToRaw({ ...first, name: row.name, version: 1 }));
        this.s.setLastVersion.run(1, row.name);
      }
      return true;
    });
  }

  updateFunction(name: string, change: (current: FunctionRow) => FunctionRow): Promise<FunctionRow | undefined> {
    return this.write(() => {
      const raw = this.s.function.get(name);
      if (!raw) return undefined;
      const next = { ...change(functionFromRaw(raw)), name };
      this.s.updateFunction.run(functionToRaw(next));
      return next;
    });
  }

  deleteFunction(name: string): Promise<boolean> {
    return this.write(() => {
      this.s.deleteAllVersions.run(name);
      this.s.deleteAllAliases.run(name);
      this.s.deleteAllSettings.run(name);
      return this.s.deleteFunction.run(name).changes > 0;
    });
  }

  publishVersion(name: string, make: (latest: FunctionRow, number: number) => VersionRow): Promise<VersionRow | undefined> {
    return this.write(() => {
      const raw = this.s.function.get(name);
      if (!raw) return undefined;
      const number = (this.s.lastVersion.get(name)?.last_version ?? 0) + 1;
      const version = { ...make(functionFromRaw(raw), number), name, version: number };
      this.s.insertVersion.run(versionToRaw(version));
      this.s.setLastVersion.run(number, name);
      return version;
    });
  }

  deleteVersion(name: string, version: number): Promise<boolean> {
    return this.write(() => {
      this.s.deleteQualifierSettings.run(name, String(version));
      return this.s.deleteVersion.run(name, version).changes > 0;
    });
  }

  updateAlias(name: string, alias: string, change: (current: AliasRow | undefined) => AliasRow): Promise<AliasRow> {
    return this.write(() => {
      const raw = this.s.alias.get(name, alias);
      const next = { ...change(raw && aliasFromRaw(raw)), name, alias };
      this.s.putAlias.run(aliasToRaw(next));
      return next;
    });
  }

  deleteAlias(name: string, alias: string): Promise<boolean> {
    return this.write(() => {
      this.s.deleteQualifierSettings.run(name, alias);
      return this.s.deleteAlias.run(name, alias).changes > 0;
    });
  }

  updateSetting<T>(name: string, qualifier: string, kind: string, change: (current: T | undefined) => T): Promise<T> {
    return this.write(() => {
      const raw = this.s.setting.get(name, qualifier, kind);
      const next = change(raw && (JSON.parse(raw.value) as T));
      this.s.putSetting.run(name, qualifier, kind, JSON.stringify(next));
      return next;
    });
  }

  deleteSetting(name: string, qualifier: string, kind: string): Promise<boolean> {
    return this.write(() => this.s.deleteSetting.run(name, qualifier, kind).changes > 0);
  }

  publishLayerVersion(layer: string, make: (number: number) => LayerVersionRow): Promise<LayerVersionRow> {
    return this.write(() => {
      // The counter moves in the same transaction: if make() throws, it goes back with it.
      const number = this.s.bumpLayer.get(layer)!.last_version;
      const row = { ...make(number), layer, version: number };
      this.s.insertLayerVersion.run(layerVersionToRaw(row));
      return row;
    });
  }

  updateLayerVersion(layer: string, version: number, change: (current: LayerVersionRow) => LayerVersionRow): Promise<LayerVersionRow | undefined> {
    return this.write(() => {
      const raw = this.s.layerVersion.get(layer, version);
      if (!raw) return undefined;
      const next = { ...change(layerVersionFromRaw(raw)), layer, version };
      this.s.updateLayerVersion.run(layerVersionToRaw(next));
      return next;
    });
  }

  deleteLayerVersion(layer: string, version: number): Promise<boolean> {
    return this.write(() => this.s.deleteLayerVersion.run(layer, version).changes > 0);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
