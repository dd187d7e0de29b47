// The registry in PostgreSQL, shared by every lambkin pointed at the same database. Each write is
// one transaction that first locks the row it changes (SELECT … FOR UPDATE), so a `change` sees
// the row as committed by any node and nobody else can change it before this commit. A row that
// does not exist yet cannot be locked: when two writers create it at once, the second INSERT finds
// the first's row (ON CONFLICT DO NOTHING), and its transaction runs again, now seeing that row.
import { migratePostgres, type Postgres, type Queryable } from '../../database/index.js';
import {
  ALIAS_COLUMNS, FUNCTION_COLUMNS, VERSION_COLUMNS, aliasFromRaw, aliasToRaw, functionFromRaw, functionToRaw,
  layerVersionFromRaw, layerVersionToRaw, versionFromRaw, versionToRaw, type RawAlias, type RawFunction,
  type RawLayerVersion, type RawVersion,
} from '../rows.js';
import type { AliasRow, FunctionRow, LayerVersionRow, RegistryContents, RegistryStore, VersionRow } from '../store.js';
import { REGISTRY_POSTGRES } from './schema.js';

/** `INSERT INTO t (a, b) VALUES ($1, $2)` and the values of `raw` in that order. */
function insert<R extends object>(table: string, columns: readonly (keyof R & string)[], raw: R): [string, unknown[]] {
  return [`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => raw[c])];
}

/** Thrown inside a transaction when a concurrent writer created the row first: run it again. */
class CreatedMeanwhile extends Error {}

export class PostgresRegistryStore implements RegistryStore {
  readonly where: string;

  private constructor(private readonly db: Postgres) {
    this.where = db.url.redacted;
  }

  /** The store on `db` (its schema migrated); closing the store does not close `db`. */
  static async open(db: Postgres): Promise<PostgresRegistryStore> {
    await migratePostgres(db, REGISTRY_POSTGRES);
    return new PostgresRegistryStore(db);
  }

  async load(): Promise<RegistryContents> {
    // One snapshot: another node writing meanwhile cannot give us a version without its function.
    const [functions, versions, aliases, settings, layerVersions] = await this.db.transaction(async (tx) => [
      await tx.query<RawFunction>('SELECT * FROM functions'),
      await tx.query<RawVersion>('SELECT * FROM versions'),
      await tx.query<RawAlias>('SELECT * FROM aliases'),
      await tx.query<{ name: string; qualifier: string; kind: string; value: string }>('SELECT * FROM function_settings'),
      await tx.query<RawLayerVersion>('SELECT * FROM layer_versions'),
    ] as const, 'REPEATABLE READ');
    return {
      functions: functions.map(functionFromRaw),
      versions: versions.map(versionFromRaw),
      aliases: aliases.map(aliasFromRaw),
      settings: settings.map((r) => ({ ...r, value: JSON.parse(r.value) as unknown })),
      layerVersions: layerVersions.map(layerVersionFromRaw),
    };
  }

  async getFunction(name: string): Promise<FunctionRow | undefined> {
    const [raw] = await this.db.query<RawFunction>('SELECT * FROM functions WHERE name = $1', [name]);
    return raw && functionFromRaw(raw);
  }

  async listFunctions(after: string, limit: number): Promise<FunctionRow[]> {
    const rows = await this.db.query<RawFunction>('SELECT * FROM functions WHERE name > $1 ORDER BY name LIMIT $2', [after, limit]);
    return rows.map(functionFromRaw);
  }

  insertFunction(row: FunctionRow, first?: VersionRow): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [sql, values] = insert('functions', FUNCTION_COLUMNS, functionToRaw(row));
      if ((await tx.execute(`${sql} ON CONFLICT (name) DO NOTHING`, values)) === 0) return false;
      if (first) {
        await tx.execute(...insert('versions', VERSION_COLUMNS, versionToRaw({ ...first, name: row.name, version: 1 })));
        await tx.execute('UPDATE functions SET last_version = 1 WHERE name = $1', [row.name]);
      }
      return true;
    });
  }

  updateFunction(name: string, change: (current: FunctionRow) => FunctionRow): Promise<FunctionRow | undefined> {
    return this.db.transaction(async (tx) => {
      const current = await lockFunction(tx, name);
      if (!current) return undefined;
      const next = { ...change(current), name };
      const raw = functionToRaw(next);
      const columns = FUNCTION_COLUMNS.filter((c) => c !== 'name');
      await tx.execute(`UPDATE functions SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE name = $1`,
        [name, ...columns.map((c) => raw[c])]);
      return next;
    });
  }

  deleteFunction(name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM versions WHERE name = $1', [name]);
      await tx.execute('DELETE FROM aliases WHERE name = $1', [name]);
      await tx.execute('DELETE FROM function_settings WHERE name = $1', [name]);
      return (await tx.execute('DELETE FROM functions WHERE name = $1', [name])) > 0;
    });
  }

  publishVersion(name: string, make: (latest: FunctionRow, number: number) => VersionRow): Promise<VersionRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [raw] = await tx.query<RawFunction & { last_version: number }>('SELECT * FROM functions WHERE name = $1 FOR UPDATE', [name]);
      if (!raw) return undefined;
      const number = raw.last_version + 1;
      const version = { ...make(functionFromRaw(raw), number), name, version: number };
      await tx.execute(...insert('versions', VERSION_COLUMNS, versionToRaw(version)));
      await tx.execute('UPDATE functions SET last_version = $2 WHERE name = $1', [name, number]);
      return version;
    });
  }

  deleteVersion(name: string, version: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM function_settings WHERE name = $1 AND qualifier = $2', [name, String(version)]);
      return (await tx.execute('DELETE FROM versions WHERE name = $1 AND version = $2', [name, version])) > 0;
    });
  }

  updateAlias(name: string, alias: string, change: (current: AliasRow | undefined) => AliasRow): Promise<AliasRow> {
    return this.retried(() => this.db.transaction(async (tx) => {
      const [raw] = await tx.query<RawAlias>('SELECT * FROM aliases WHERE name = $1 AND alias = $2 FOR UPDATE', [name, alias]);
      const next = { ...change(raw && aliasFromRaw(raw)), name, alias };
      const r = aliasToRaw(next);
      if (raw) {
        await tx.execute('UPDATE aliases SET function_version = $3, description = $4, weights = $5, revision_id = $6 WHERE name = $1 AND alias = $2',
          [name, alias, r.function_version, r.description, r.weights, r.revision_id]);
      } else {
        const [sql, values] = insert('aliases', ALIAS_COLUMNS, r);
        if ((await tx.execute(`${sql} ON CONFLICT DO NOTHING`, values)) === 0) throw new CreatedMeanwhile();
      }
      return next;
    }));
  }

  deleteAlias(name: string, alias: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM function_settings WHERE name = $1 AND qualifier = $2', [name, alias]);
      return (await tx.execute('DELETE FROM aliases WHERE name = $1 AND alias = $2', [name, alias])) > 0;
    });
  }

  updateSetting<T>(name: string, qualifier: string, kind: string, change: (current: T | undefined) => T): Promise<T> {
    return this.retried(() => this.db.transaction(async (tx) => {
      const key = [name, qualifier, kind];
      const [raw] = await tx.query<{ value: string }>(
        'SELECT value FROM function_settings WHERE name = $1 AND qualifier = $2 AND kind = $3 FOR UPDATE', key);
      const next = change(raw && (JSON.parse(raw.value) as T));
      if (raw) {
        await tx.execute('UPDATE function_settings SET value = $4 WHERE name = $1 AND qualifier = $2 AND kind = $3', [...key, JSON.stringify(next)]);
      } else if ((await tx.execute('INSERT INTO function_settings (name, qualifier, kind, value) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [...key, JSON.stringify(next)])) === 0) {
        throw new CreatedMeanwhile();
      }
      return next;
    }));
  }

  async deleteSetting(name: string, qualifier: string, kind: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM function_settings WHERE name = $1 AND qualifier = $2 AND kind = $3', [name, qualifier, kind])) > 0;
  }

  publishLayerVersion(layer: string, make: (number: number) => LayerVersionRow): Promise<LayerVersionRow> {
    return this.db.transaction(async (tx) => {
      // The upsert locks the layer's row until commit: two publishers get consecutive numbers.
      const [counter] = await tx.query<{ last_version: number }>(
        `INSERT INTO layers (name, last_version) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET last_version = layers.last_version + 1 RETURNING last_version`, [layer]);
      const number = counter!.last_version;
      const row = { ...make(number), layer, version: number };
      const raw = layerVersionToRaw(row);
      await tx.execute('INSERT INTO layer_versions (name, version, code_sha256, data) VALUES ($1, $2, $3, $4)',
        [raw.name, raw.version, raw.code_sha256, raw.data]);
      return row;
    });
  }

  updateLayerVersion(layer: string, version: number, change: (current: LayerVersionRow) => LayerVersionRow): Promise<LayerVersionRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [raw] = await tx.query<RawLayerVersion>('SELECT * FROM layer_versions WHERE name = $1 AND version = $2 FOR UPDATE', [layer, version]);
      if (!raw) return undefined;
      const next = { ...change(layerVersionFromRaw(raw)), layer, version };
      const r = layerVersionToRaw(next);
      await tx.execute('UPDATE layer_versions SET code_sha256 = $3, data = $4 WHERE name = $1 AND version = $2', [layer, version, r.code_sha256, r.data]);
      return next;
    });
  }

  async deleteLayerVersion(layer: string, version: number): Promise<boolean> {
    return (await this.db.execute('DELETE FROM layer_versions WHERE name = $1 AND version = $2', [layer, version])) > 0;
  }

  /** The database is the caller's (several stores share one pool): nothing to close here. */
  async close(): Promise<void> {}

  /** Run a create-or-replace transaction again when another writer created the row first. */
  private async retried<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        // The second attempt locks the row the other writer made: it cannot race again on it.
        if (!(err instanceof CreatedMeanwhile) || tries >= 3) throw err;
      }
    }
  }
}

async function lockFunction(tx: Queryable, name: string): Promise<FunctionRow | undefined> {
  const [raw] = await tx.query<RawFunction>('SELECT * FROM functions WHERE name = $1 FOR UPDATE', [name]);
  return raw && functionFromRaw(raw);
}
