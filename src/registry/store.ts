// RegistryStore: where functions, versions, aliases and per-qualifier settings are kept. Two
// implementations pass the same conformance suite (test/conformance/registry-cases.ts): SQLite in
// the data folder (sqlite/, the default) and PostgreSQL (postgres/, shared by several machines).
//
// Concurrency: every write is one transaction. The writes that depend on what is stored take a
// `change` function that the store calls inside the transaction with the row as it is *now*
// (locked until commit), so two writers — two requests, or two lambkin processes on one
// database — apply one after the other and never lose each other's update. `change` may throw
// (e.g. PreconditionFailedException when the RevisionId a caller gave is stale): then nothing is
// written and the error reaches the caller. `change` must be synchronous and must not do I/O.
import type { FunctionConfig } from './types.js';

export interface FunctionRow {
  readonly name: string;
  readonly config: FunctionConfig;
  readonly version: string; // '$LATEST'
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly revisionId: string;
  readonly lastModified: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly reservedConcurrency: number | undefined;
}

/** A published version: an immutable copy of $LATEST's configuration and code. */
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

/** One setting of a qualifier ('$LATEST', a version or an alias): kind 'event-invoke' | 'url' | 'provisioned'. */
export interface SettingRow {
  readonly name: string;
  readonly qualifier: string;
  readonly kind: string;
  readonly value: unknown;
}

/** One statement of a resource policy (AddPermission, AddLayerVersionPermission), as Lambda shows it. */
export type PolicyStatement = Readonly<Record<string, unknown>> & { readonly Sid: string };

/** A resource policy: its statements and a RevisionId that changes with each of them. */
export interface ResourcePolicy {
  readonly statements: readonly PolicyStatement[];
  readonly revisionId: string;
}

/** A published layer version: an immutable zip with its metadata, plus its (mutable) policy. */
export interface LayerVersionRow {
  readonly layer: string;
  readonly version: number;
  readonly description: string;
  readonly createdDate: string;
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly string[];
  readonly licenseInfo?: string;
  readonly policy?: ResourcePolicy;
}

/** Everything, as loaded at open into the registry's in-memory cache. */
export interface RegistryContents {
  readonly functions: readonly FunctionRow[];
  readonly versions: readonly VersionRow[];
  readonly aliases: readonly AliasRow[];
  readonly settings: readonly SettingRow[];
  readonly layerVersions: readonly LayerVersionRow[];
}

export interface RegistryStore {
  /** Where the data is, for messages (a path, or a URL with its password hidden). */
  readonly where: string;

  load(): Promise<RegistryContents>;
  getFunction(name: string): Promise<FunctionRow | undefined>;
  /** Functions ordered by name (byte order), strictly after `after`, at most `limit`. */
  listFunctions(after: string, limit: number): Promise<FunctionRow[]>;
  /**
   * false: a function of that name exists already (nothing written). With `first`, its version 1
   * is stored in the same transaction (CreateFunction with Publish: both or neither).
   */
  insertFunction(row: FunctionRow, first?: VersionRow): Promise<boolean>;
  /** Replace the function's row with `change(current)`; undefined: there is no such function. */
  updateFunction(name: string, change: (current: FunctionRow) => FunctionRow): Promise<FunctionRow | undefined>;
  /** The function with all its versions, aliases and settings; false: there was none. */
  deleteFunction(name: string): Promise<boolean>;

  /**
   * Store `make(latest, number)` as version `number` of the function: the next number of a
   * per-function counter that never goes back (a deleted version's number is not reused).
   * undefined: there is no such function. The counter moves only if the version is stored.
   */
  publishVersion(name: string, make: (latest: FunctionRow, number: number) => VersionRow): Promise<VersionRow | undefined>;
  /** A version with its settings; false: there was none. */
  deleteVersion(name: string, version: number): Promise<boolean>;

  /** Create or replace an alias with `change(current or undefined)`. */
  updateAlias(name: string, alias: string, change: (current: AliasRow | undefined) => AliasRow): Promise<AliasRow>;
  /** An alias with its settings; false: there was none. */
  deleteAlias(name: string, alias: string): Promise<boolean>;

  /** Create or replace a setting with `change(current value or undefined)`. */
  updateSetting<T>(name: string, qualifier: string, kind: string, change: (current: T | undefined) => T): Promise<T>;
  deleteSetting(name: string, qualifier: string, kind: string): Promise<boolean>;

  /**
   * Store `make(number)` as version `number` of layer `layer`: the next number of a per-layer
   * counter that never goes back, even when every version was deleted (as on Lambda).
   */
  publishLayerVersion(layer: string, make: (number: number) => LayerVersionRow): Promise<LayerVersionRow>;
  /** Replace a layer version with `change(current)` (its policy); undefined: there is none. */
  updateLayerVersion(layer: string, version: number, change: (current: LayerVersionRow) => LayerVersionRow): Promise<LayerVersionRow | undefined>;
  /** false: there was none. The layer's counter stays. */
  deleteLayerVersion(layer: string, version: number): Promise<boolean>;

  close(): Promise<void>;
}
