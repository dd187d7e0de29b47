// A function's lifecycle beyond $LATEST: published versions (immutable snapshots of $LATEST's code
// and configuration, numbered 1, 2, …), aliases (a name for a version, optionally routing a share
// of invokes to a second one), and per-qualifier settings. Like the function cache, everything is
// held in memory (loaded at open, replaced on each write) because invokes resolve qualifiers.
// Writes go through the RegistryStore's transactions: the checks that must see the stored state
// (RevisionId, an alias that exists already) run inside them.
import { randomUUID } from 'node:crypto';
import { apiError } from '../errors.js';
import { functionArn } from './arn.js';
import type { AliasRow, RegistryContents, RegistryStore, VersionRow } from './store.js';
import type { AliasRecord, FunctionConfig, FunctionRecord } from './types.js';
import { lastModifiedNow } from './wire-forms.js';

export interface PublishOptions {
  readonly description?: string;
  /** Publish only if $LATEST's code has this sha256 (lowercase hex). */
  readonly codeSha256?: string;
  /** Called before a new version is stored with the bytes of code it adds (throws to refuse it). */
  readonly beforeStoring?: (codeSize: number) => void;
}

export interface AliasInput {
  readonly functionVersion: string;
  readonly description: string;
  readonly weights: Readonly<Record<string, number>>;
}

export type SettingKind = 'event-invoke' | 'url' | 'provisioned' | 'policy' | 'runtime-management' | 'recursion';

const key = (...parts: string[]) => parts.join('\0');

export class Lifecycle {
  private readonly versions = new Map<string, Map<string, FunctionRecord>>();
  private readonly aliases = new Map<string, Map<string, AliasRecord>>();
  private readonly settings = new Map<string, { name: string; qualifier: string; kind: SettingKind; value: unknown }>();

  /** Called when a version is deleted: its code may be unreferenced now (the registry collects it). */
  onCodeReleased: () => void = () => {};

  constructor(private readonly store: RegistryStore, contents: RegistryContents, private readonly codeDir: (sha256: string) => string) {
    this.replace(contents);
  }

  /** Hold exactly `contents`' versions, aliases and settings (at open, and at a cluster node's reload). */
  replace(contents: RegistryContents): void {
    this.versions.clear();
    this.aliases.clear();
    this.settings.clear();
    for (const row of contents.versions) this.rememberVersion(row);
    for (const row of contents.aliases) this.rememberAlias(row);
    for (const row of contents.settings) this.settings.set(key(row.name, row.qualifier, row.kind), row as never);
  }

  /** Every code hash a published version uses (the code store keeps them). */
  codeShas(): string[] {
    return [...this.versions.values()].flatMap((m) => [...m.values()].map((r) => r.codeSha256));
  }

  /** Every layer code hash a published version uses (kept after the layer version is deleted). */
  layerShas(): string[] {
    return [...this.versions.values()].flatMap((m) => [...m.values()].flatMap((r) => (r.config.layers ?? []).map((l) => l.codeSha256)));
  }

  version(name: string, version: string): FunctionRecord | undefined {
    return this.versions.get(name)?.get(version);
  }

  /** Published versions, oldest first. */
  versionsOf(name: string): FunctionRecord[] {
    return [...(this.versions.get(name)?.values() ?? [])].sort((a, b) => Number(a.version) - Number(b.version));
  }

  /**
   * Publish `latest` as a new version, or answer the newest version when neither code nor
   * configuration changed since it was published (Lambda's rule: no empty versions).
   */
  async publish(latest: FunctionRecord, options: PublishOptions): Promise<FunctionRecord> {
    const name = latest.config.name;
    if (options.codeSha256 !== undefined && options.codeSha256 !== latest.codeSha256) {
      const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
      throw apiError('InvalidParameterValueException',
        `CodeSHA256 (${b64(options.codeSha256)}) is different from current CodeSHA256 in $LATEST (${b64(latest.codeSha256)}). Please try again`);
    }
    const newest = this.versionsOf(name).at(-1);
    if (newest && newest.codeSha256 === latest.codeSha256 && sameConfig(newest.config, latest.config)) return newest;
    options.beforeStoring?.(latest.codeSize);
    const row = await this.store.publishVersion(name, (stored, number): VersionRow => {
      // $LATEST changed between the caller's read and this transaction: publish what was checked, or nothing.
      if (stored.revisionId !== latest.revisionId) throw revisionMismatch();
      return {
        name, version: number,
        config: { ...stored.config, description: options.description ?? stored.config.description },
        codeSha256: stored.codeSha256, codeSize: stored.codeSize, revisionId: randomUUID(),
        lastModified: lastModifiedNow(),
      };
    });
    if (!row) throw notFound(name, '$LATEST');
    return this.rememberVersion(row);
  }

  /** Delete one published version; refused while an alias points at it. */
  async deleteVersion(name: string, version: string): Promise<void> {
    if (!this.version(name, version)) throw notFound(name, version);
    const users = this.aliasesOf(name).filter((a) => a.functionVersion === version || version in a.weights).map((a) => a.name);
    if (users.length > 0) {
      throw apiError('ResourceConflictException',
        `Unable to delete version because the following aliases reference it: [${users.join(', ')}]`);
    }
    await this.store.deleteVersion(name, Number(version));
    this.versions.get(name)?.delete(version);
    this.forgetSettings(name, version);
    this.onCodeReleased();
  }

  alias(name: string, alias: string): AliasRecord | undefined {
    return this.aliases.get(name)?.get(alias);
  }

  aliasesOf(name: string): AliasRecord[] {
    return [...(this.aliases.get(name)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Create (when `expectedRevisionId` is null) or update an alias, after checking what it points at. */
  async putAlias(name: string, alias: string, input: AliasInput, expectedRevisionId: string | null | undefined): Promise<AliasRecord> {
    this.checkTarget(name, input);
    const row = await this.store.updateAlias(name, alias, (existing) => {
      if (expectedRevisionId === null && existing) {
        throw apiError('ResourceConflictException', `Alias already exists: ${functionArn(name, alias)}`);
      }
      if (expectedRevisionId !== null && !existing) throw aliasNotFound(name, alias);
      if (expectedRevisionId && existing && existing.revisionId !== expectedRevisionId) throw revisionMismatch();
      return { name, alias, ...input, revisionId: randomUUID() };
    });
    return this.rememberAlias(row);
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    if (!this.alias(name, alias)) throw aliasNotFound(name, alias);
    await this.store.deleteAlias(name, alias);
    this.aliases.get(name)?.delete(alias);
    this.forgetSettings(name, alias);
  }

  setting<T>(name: string, qualifier: string, kind: SettingKind): T | undefined {
    return this.settings.get(key(name, qualifier, kind))?.value as T | undefined;
  }

  /** Every setting of one kind, e.g. all provisioned-concurrency configurations. */
  settingsOf<T>(kind: SettingKind, name?: string): { name: string; qualifier: string; value: T }[] {
    return [...this.settings.values()]
      .filter((s) => s.kind === kind && (name === undefined || s.name === name))
      .map((s) => ({ name: s.name, qualifier: s.qualifier, value: s.value as T }));
  }

  putSetting(name: string, qualifier: string, kind: SettingKind, value: unknown): Promise<unknown> {
    return this.changeSetting(name, qualifier, kind, () => value);
  }

  /**
   * Create or replace a setting from its stored value (undefined: none yet), in one transaction:
   * two concurrent changes apply one after the other. `change` may throw to refuse.
   */
  async changeSetting<T>(name: string, qualifier: string, kind: SettingKind, change: (current: T | undefined) => T): Promise<T> {
    const value = await this.store.updateSetting<T>(name, qualifier, kind, change);
    this.settings.set(key(name, qualifier, kind), { name, qualifier, kind, value });
    return value;
  }

  async deleteSetting(name: string, qualifier: string, kind: SettingKind): Promise<boolean> {
    const deleted = await this.store.deleteSetting(name, qualifier, kind);
    return this.settings.delete(key(name, qualifier, kind)) || deleted;
  }

  /** Drop a deleted function from memory (the caller deletes its rows in its own transaction). */
  forgetFunction(name: string): void {
    this.versions.delete(name);
    this.aliases.delete(name);
    this.forgetSettings(name);
  }

  private forgetSettings(name: string, qualifier?: string): void {
    for (const [k, s] of this.settings) if (s.name === name && (qualifier === undefined || s.qualifier === qualifier)) this.settings.delete(k);
  }

  private checkTarget(name: string, input: AliasInput): void {
    const exists = (v: string) => (v === '$LATEST' ? true : this.version(name, v) !== undefined);
    if (!exists(input.functionVersion)) throw notFound(name, input.functionVersion);
    const extra = Object.keys(input.weights);
    if (extra.length === 0) return;
    if (extra.length > 1) throw invalid('RoutingConfig.AdditionalVersionWeights may name one additional version only.');
    const other = extra[0]!;
    if (input.functionVersion === '$LATEST' || other === '$LATEST') {
      throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    if (other === input.functionVersion) throw invalid(`The additional version ${other} must differ from the alias's FunctionVersion.`);
    if (!exists(other)) throw notFound(name, other);
  }

  /** Hold a version the registry stored itself (CreateFunction with Publish). */
  rememberVersion(row: VersionRow): FunctionRecord {
    const record: FunctionRecord = Object.freeze({
      config: Object.freeze({
        ...row.config,
        environment: Object.freeze({ ...row.config.environment }),
        loggingConfig: Object.freeze({ ...row.config.loggingConfig }),
      }),
      version: String(row.version),
      codeSha256: row.codeSha256,
      codeSize: row.codeSize,
      revisionId: row.revisionId,
      lastModified: row.lastModified,
      tags: Object.freeze({}),
      reservedConcurrency: undefined,
      codeDir: this.codeDir(row.codeSha256),
      layerDirs: Object.freeze((row.config.layers ?? []).map((l) => this.codeDir(l.codeSha256))),
    });
    let byName = this.versions.get(row.name);
    if (!byName) this.versions.set(row.name, (byName = new Map()));
    byName.set(record.version, record);
    return record;
  }

  private rememberAlias(row: AliasRow): AliasRecord {
    const record: AliasRecord = Object.freeze({
      functionName: row.name, name: row.alias, functionVersion: row.functionVersion, description: row.description,
      weights: Object.freeze({ ...row.weights }), revisionId: row.revisionId,
    });
    let byName = this.aliases.get(row.name);
    if (!byName) this.aliases.set(row.name, (byName = new Map()));
    byName.set(row.alias, record);
    return record;
  }
}

/** Code and configuration equal, the description aside (a version may carry its own). */
function sameConfig(a: FunctionConfig, b: FunctionConfig): boolean {
  return canonical({ ...a, description: '' }) === canonical({ ...b, description: '' });
}

/** JSON with object keys sorted, so that key order never makes two equal values differ. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([x], [y]) => (x < y ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function invalid(message: string): Error {
  return apiError('InvalidParameterValueException', message);
}

function notFound(name: string, version: string): Error {
  return apiError('ResourceNotFoundException', `Function not found: ${functionArn(name, version)}`);
}

/** A RevisionId given by the caller is not the stored one (Lambda's 412). */
export function revisionMismatch(): Error {
  return apiError('PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
}

export function aliasNotFound(name: string, alias: string): Error {
  return apiError('ResourceNotFoundException', `Alias not found: ${functionArn(name, alias)}`);
}
