// Rows as both databases store them (JSON in text columns, snake_case) and back. Shared by the
// SQLite and PostgreSQL stores, whose tables have the same columns.
import type { AliasRow, FunctionRow, LayerVersionRow, VersionRow } from './store.js';
import type { FunctionConfig } from './types.js';

export interface RawFunction {
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

export interface RawVersion {
  name: string;
  version: number;
  config: string;
  code_sha256: string;
  code_size: number;
  revision_id: string;
  last_modified: string;
}

export interface RawAlias {
  name: string;
  alias: string;
  function_version: string;
  description: string;
  weights: string;
  revision_id: string;
}

export const FUNCTION_COLUMNS = ['name', 'config', 'version', 'code_sha256', 'code_size', 'revision_id', 'last_modified', 'tags', 'reserved_concurrency'] as const;
export const VERSION_COLUMNS = ['name', 'version', 'config', 'code_sha256', 'code_size', 'revision_id', 'last_modified'] as const;
export const ALIAS_COLUMNS = ['name', 'alias', 'function_version', 'description', 'weights', 'revision_id'] as const;

export function functionToRaw(row: FunctionRow): RawFunction {
  return {
    name: row.name, config: JSON.stringify(row.config), version: row.version, code_sha256: row.codeSha256,
    code_size: row.codeSize, revision_id: row.revisionId, last_modified: row.lastModified, tags: JSON.stringify(row.tags),
    reserved_concurrency: row.reservedConcurrency ?? null,
  };
}

export function functionFromRaw(raw: RawFunction): FunctionRow {
  return {
    name: raw.name, config: JSON.parse(raw.config) as FunctionConfig, version: raw.version, codeSha256: raw.code_sha256,
    codeSize: raw.code_size, revisionId: raw.revision_id, lastModified: raw.last_modified,
    tags: JSON.parse(raw.tags) as Record<string, string>, reservedConcurrency: raw.reserved_concurrency ?? undefined,
  };
}

export function versionToRaw(row: VersionRow): RawVersion {
  return {
    name: row.name, version: row.version, config: JSON.stringify(row.config), code_sha256: row.codeSha256,
    code_size: row.codeSize, revision_id: row.revisionId, last_modified: row.lastModified,
  };
}

export function versionFromRaw(raw: RawVersion): VersionRow {
  return {
    name: raw.name, version: raw.version, config: JSON.parse(raw.config) as FunctionConfig, codeSha256: raw.code_sha256,
    codeSize: raw.code_size, revisionId: raw.revision_id, lastModified: raw.last_modified,
  };
}

export function aliasToRaw(row: AliasRow): RawAlias {
  return {
    name: row.name, alias: row.alias, function_version: row.functionVersion, description: row.description,
    weights: JSON.stringify(row.weights), revision_id: row.revisionId,
  };
}

export function aliasFromRaw(raw: RawAlias): AliasRow {
  return {
    name: raw.name, alias: raw.alias, functionVersion: raw.function_version, description: raw.description,
    weights: JSON.parse(raw.weights) as Record<string, number>, revisionId: raw.revision_id,
  };
}

/** A layer version as stored: its key and code hash as columns, the rest as JSON. */
export interface RawLayerVersion {
  name: string;
  version: number;
  code_sha256: string;
  data: string;
}

export function layerVersionToRaw(row: LayerVersionRow): RawLayerVersion {
  const { layer, version, codeSha256, ...data } = row;
  return { name: layer, version, code_sha256: codeSha256, data: JSON.stringify(data) };
}

export function layerVersionFromRaw(raw: RawLayerVersion): LayerVersionRow {
  const data = JSON.parse(raw.data) as Omit<LayerVersionRow, 'layer' | 'version' | 'codeSha256'>;
  return { ...data, layer: raw.name, version: Number(raw.version), codeSha256: raw.code_sha256 };
}

/** `(a, b, c)` and `(@a, @b, @c)`-style lists for an INSERT of `columns`. */
export function columnList(columns: readonly string[]): string {
  return columns.join(', ');
}
