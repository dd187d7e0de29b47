// The registry: functions as stored. The RegistryStore (store.ts: SQLite in the data folder, or
// PostgreSQL) is the source of truth; an in-memory copy of every record (loaded at open, replaced
// on each write by this process) answers get() without I/O, since get() sits on the invoke path.
// With PostgreSQL, changes another lambkin process makes reach this cache at its next start, or, on
// a cluster node, at reload(), which the node runs when another node announces a change.
//
// Write order, for crash safety: the code goes into the code store first (durable, complete,
// renamed into place), and only then does the store's transaction commit the row that points to it.
// A crash in between leaves unreferenced code, which the next open() collects. While running, code
// that no function or version refers to any more is removed as soon as no environment uses it
// (collectCode), and the zips of $LATEST and every version together stay within the code storage
// limit (Lambda's per-account quota, 75 GB by default).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CODE_STORAGE_LIMIT } from '../config.js';
import type { Postgres } from '../database/index.js';
import { apiError } from '../errors.js';
import { Arns } from './arn.js';
import type { CodeStore, StoredCode } from './code-store.js';
import { LocalCodeStore } from './local/code-store.js';
import { PostgresCodeStore } from './postgres/code-store.js';
import type { FunctionRow, RegistryStore, VersionRow } from './store.js';
import type { FunctionConfig, FunctionRecord, ListPage, Resolved } from './types.js';
import { Lifecycle, revisionMismatch } from './lifecycle.js';
import { PostgresRegistryStore } from './postgres/registry-store.js';
import { SqliteRegistryStore } from './sqlite/registry-store.js';
import { LAMBDA_LIMITS, type UnzipLimits } from './unzip.js';
import { Layers, type LayerInput, type LayerVersion } from './layers.js';
import { checkUnpackedWithLayers, referencedShas } from './code-refs.js';
import type { LayerRef } from './types.js';
import { decodeMarker, encodeMarker, lastModifiedNow } from './wire-forms.js';
import { contentShas, superseded, type Superseded } from './reload.js';

export interface CreateInput {
  readonly config: FunctionConfig;
  readonly zip: Buffer;
  readonly tags: Readonly<Record<string, string>>;
  /** Publish version 1 in the same transaction (CreateFunction's Publish); create() then answers it. */
  readonly publish?: boolean;
}

export type ConfigPatch = Partial<Omit<FunctionConfig, 'name'>>;

export interface RegistryOptions {
  /** Lambda's limits unless given (tests lower them). */
  readonly unzipLimits?: UnzipLimits;
  /** Bytes of code zips, $LATEST and every version counted, all functions may store together. */
  readonly codeStorageLimit?: number;
  /** Keep functions and code zips in this PostgreSQL database instead of the data folder. */
  readonly database?: Postgres;
  /** Where background failures (removing unused code from the database) are said. */
  readonly log?: (line: string) => void;
  /** The region the ARNs name (config.ts, LAMBKIN_REGION); its default unless given. */
  readonly region?: string;
}


/** ListFunctions answers at most this many per page, whatever MaxItems says (as Lambda does). */
export const MAX_LIST_ITEMS = 50;

export function functionNotFound(arns: Arns, name: string, qualifier?: string): Error {
  return apiError('ResourceNotFoundException', `Function not found: ${arns.functionArn(name, qualifier)}`);
}

export class Registry {
  private readonly cache = new Map<string, FunctionRecord>();
  /** Uploads being stored: their bytes count against the limit, and nothing is collected meanwhile. */
  private putting = { uploads: 0, bytes: 0 };
  /** Some code may be unreferenced: collectCode() has work to do. */
  private released = false;
  private readonly releasedListeners: (() => void)[] = [];
  private readonly deletedListeners: ((name: string) => void)[] = [];

  private constructor(
    private readonly store: RegistryStore,
    private readonly code: CodeStore,
    rows: readonly FunctionRow[],
    /** Published versions, aliases and per-qualifier settings (lifecycle.ts). */
    readonly lifecycle: Lifecycle,
    /** Layer versions (layers.ts). */
    readonly layers: Layers,
    /** Code storage limit in bytes. */
    readonly codeStorageLimit: number,
    /** Code and layers together, unpacked, may hold at most this many bytes (Lambda: 250 MB). */
    private readonly unpackedLimit: number,
    /** The names (ARNs) of the registry's things, in the server's region. */
    readonly arns: Arns,
  ) {
    lifecycle.onCodeReleased = () => this.codeReleased();
    const shas = [...referencedShas(rows, lifecycle, layers)];
    const missing = new Set(shas.filter((sha) => !existsSync(code.dirPath(sha))));
    this.repaired = (async () => {
      for (const sha of missing) await code.ensureLocal(sha).catch(() => false);
    })();
  }

  /**
   * Settles once code folders found missing at open (a disk that lost data, or with PostgreSQL,
   * code another machine uploaded) have been unpacked from their stored zips. Never rejects; a zip that cannot be used stays
   * as it is, and invoking its function reports the unusable package.
   */
  readonly repaired: Promise<void>;

  /**
   * Open (creating if need be) the registry of `dataDir`: its records in `registry.db` and its
   * code in `code/` or, with `options.database`, both in PostgreSQL (code unpacked into `code/`).
   */
  static async open(dataDir: string, options: RegistryOptions = {}): Promise<Registry> {
    const root = resolve(dataDir);
    mkdirSync(root, { recursive: true });
    const local = new LocalCodeStore(join(root, 'code'), options.unzipLimits ?? LAMBDA_LIMITS);
    if (options.database) {
      const store = await PostgresRegistryStore.open(options.database);
      return Registry.openStore(store, await PostgresCodeStore.open(options.database, local, options.log), options);
    }
    return Registry.openStore(new SqliteRegistryStore(join(root, 'registry.db')), local, options);
  }

  /** The registry over given stores (the conformance suites use this). */
  static async openStore(store: RegistryStore, code: CodeStore, options: RegistryOptions = {}): Promise<Registry> {
    const contents = await store.load();
    const arns = new Arns(options.region);
    const lifecycle = new Lifecycle(store, contents, (sha) => code.dirPath(sha), arns);
    const layers = new Layers(store, contents.layerVersions, code, arns);
    const rows = contents.functions;
    await code.collect(referencedShas(rows, lifecycle, layers));
    const registry = new Registry(store, code, rows, lifecycle, layers, options.codeStorageLimit ?? DEFAULT_CODE_STORAGE_LIMIT,
      (options.unzipLimits ?? LAMBDA_LIMITS).maxBytes, arns);
    for (const row of rows) registry.remember(row);
    return registry;
  }

  /**
   * Replace what is held with what the store holds now (another node changed it), once the code
   * it needs is unpacked here; answers the function versions whose environments run superseded
   * code. Callers run one reload at a time: one that started before a write may hold the state
   * from before it, until the reload that the write's announcement starts.
   */
  async reload(): Promise<Superseded[]> {
    const contents = await this.store.load();
    for (const sha of contentShas(contents)) {
      if (!existsSync(this.code.dirPath(sha))) await this.code.ensureLocal(sha).catch(() => false);
    }
    const gone = superseded(this.cache, (name) => this.lifecycle.versionsOf(name), contents);
    this.lifecycle.replace(contents);
    this.layers.replace(contents.layerVersions);
    this.cache.clear();
    for (const row of contents.functions) this.remember(row);
    if (gone.length > 0) this.codeReleased(); // what the other node replaced may be collectable here too
    return gone;
  }

  /** Where the records are (a path, or a URL with its password hidden). */
  get where(): string {
    return this.store.where;
  }

  get(name: string): FunctionRecord | undefined {
    return this.cache.get(name);
  }

  /** What `name` qualified by `qualifier` designates: $LATEST (none given), a version or an alias. */
  resolve(name: string, qualifier?: string): Resolved | undefined {
    const latest = this.cache.get(name);
    if (!latest) return undefined;
    if (qualifier === undefined || qualifier === '$LATEST') return { record: latest };
    if (/^[0-9]+$/.test(qualifier)) {
      const record = this.lifecycle.version(name, qualifier);
      return record && { record };
    }
    const alias = this.lifecycle.alias(name, qualifier);
    if (!alias) return undefined;
    const record = alias.functionVersion === '$LATEST' ? latest : this.lifecycle.version(name, alias.functionVersion);
    return record && { record, alias };
  }

  /**
   * The version one invocation of `name:qualifier` runs: for an alias with a routing config, the
   * additional version with its weight's probability (`random` in [0, 1)), else its main version.
   */
  pick(name: string, qualifier?: string, random: number = Math.random()): FunctionRecord | undefined {
    const resolved = this.resolve(name, qualifier);
    if (!resolved?.alias) return resolved?.record;
    for (const [version, weight] of Object.entries(resolved.alias.weights)) {
      if (random < weight) return this.lifecycle.version(name, version) ?? resolved.record;
    }
    return resolved.record;
  }

  /** Publish $LATEST as a version (or answer the newest one when nothing changed). */
  async publish(name: string, options: { description?: string; codeSha256?: string; revisionId?: string } = {}): Promise<FunctionRecord> {
    const latest = this.remember(await this.current(name, options.revisionId)); // exists, and the revision matches
    // A new version counts its code once more, as Lambda counts it.
    return this.lifecycle.publish(latest, { ...options, beforeStoring: (size) => this.checkStorage(size) });
  }

  /** Every function, in no particular order (from memory). */
  all(): FunctionRecord[] {
    return [...this.cache.values()];
  }

  /** A page of functions ordered by name; `marker` is a previous page's nextMarker. */
  async list(marker?: string, maxItems: number = MAX_LIST_ITEMS): Promise<ListPage> {
    const limit = Math.max(1, Math.min(Math.trunc(maxItems), MAX_LIST_ITEMS));
    const rows = await this.store.listFunctions(marker === undefined ? '' : decodeMarker(marker), limit + 1);
    const page = rows.slice(0, limit);
    // As stored, which may be newer than the cache (another node's write): the cache learns it too.
    const functions = page.map((row) => this.remember(row));
    const last = page[page.length - 1];
    return rows.length > limit && last !== undefined
      ? { functions, nextMarker: encodeMarker(last.name) }
      : { functions };
  }

  async create(input: CreateInput): Promise<FunctionRecord> {
    const { name } = input.config;
    if (this.cache.has(name)) throw alreadyExists(name);
    // A published version counts its code once more, as Lambda counts it.
    return this.storing(input.zip, input.zip.length * (input.publish ? 2 : 1), (code) => this.insert(input, code));
  }

  private async insert(input: CreateInput, code: StoredCode): Promise<FunctionRecord> {
    const { name } = input.config;
    await this.checkUnpacked(code.sha256, input.config.layers);
    const row: FunctionRow = {
      name,
      config: input.config,
      version: '$LATEST',
      codeSha256: code.sha256,
      codeSize: code.size,
      revisionId: randomUUID(),
      lastModified: lastModifiedNow(),
      tags: { ...input.tags },
      reservedConcurrency: undefined,
    };
    const first: VersionRow | undefined = input.publish
      ? { name, version: 1, config: row.config, codeSha256: row.codeSha256, codeSize: row.codeSize, revisionId: randomUUID(), lastModified: row.lastModified }
      : undefined;
    // false: another create of the same name finished while our code was unpacking.
    if (!(await this.store.insertFunction(row, first))) throw alreadyExists(name);
    const latest = this.remember(row);
    return first ? this.lifecycle.rememberVersion(first) : latest;
  }

  async updateCode(name: string, zip: Buffer, expectedRevisionId?: string): Promise<FunctionRecord> {
    const before = await this.current(name, expectedRevisionId); // fail fast, before unpacking anything
    return this.storing(zip, zip.length - before.codeSize, async (code) => {
      await this.checkUnpacked(code.sha256, before.config.layers);
      let replaced = '';
      const updated = await this.write(name, expectedRevisionId, (row) => {
        replaced = row.codeSha256;
        return { ...row, codeSha256: code.sha256, codeSize: code.size };
      });
      if (replaced !== code.sha256) this.released = true; // collected once this upload is through
      return updated;
    });
  }

  async updateConfig(name: string, patch: ConfigPatch, expectedRevisionId?: string): Promise<FunctionRecord> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (patch.layers !== undefined) {
      const current = this.cache.get(name);
      if (current) await this.checkUnpacked(current.codeSha256, patch.layers);
    }
    const updated = await this.write(name, expectedRevisionId, (row) => ({ ...row, config: { ...row.config, ...defined, name } }));
    if (patch.layers !== undefined) this.released = true; // a layer no longer used may be collectable
    return updated;
  }

  /** Store a layer's zip, then its new version (numbered after the layer's last one). */
  publishLayer(name: string, zip: Buffer, input: LayerInput): Promise<LayerVersion> {
    return this.storing(zip, zip.length, (code) => this.layers.publish(name, input, code, lastModifiedNow()));
  }

  /** Delete a layer version; functions using it keep its code (their configuration refers to it). */
  async deleteLayerVersion(name: string, version: number): Promise<void> {
    if (await this.layers.delete(name, version)) this.codeReleased();
  }

  /** Set a function's tags (TagResource/UntagResource); like Lambda, not a change of its revision. */
  async setTags(name: string, change: (tags: Readonly<Record<string, string>>) => Record<string, string>): Promise<FunctionRecord> {
    const next = await this.store.updateFunction(name, (row) => ({ ...row, tags: change(row.tags) }));
    if (!next) throw functionNotFound(this.arns, name);
    return this.remember(next);
  }

  /**
   * Set (or with undefined, remove) the function's reserved concurrency. Like Lambda, this is not
   * a change of the function's code or configuration: RevisionId and LastModified stay.
   */
  async setReservedConcurrency(name: string, value: number | undefined): Promise<FunctionRecord> {
    const next = await this.store.updateFunction(name, (row) => ({ ...row, reservedConcurrency: value }));
    if (!next) throw functionNotFound(this.arns, name);
    return this.remember(next);
  }

  /** Validate a zip exactly as updateCode would, storing nothing (UpdateFunctionCode DryRun). */
  checkCode(zip: Buffer): Promise<void> {
    return this.code.check(zip);
  }

  /** The stored zip of a record (for GetFunction's Code.Location). */
  async codeZip(record: FunctionRecord): Promise<Buffer> {
    const zip = await this.code.zip(record.codeSha256);
    if (!zip) throw apiError('ServiceException', `The code of ${this.arns.functionArn(record.config.name, record.version)} is missing from ${this.code.where}.`);
    return zip;
  }

  /**
   * Delete a function's row. Its code goes at the next collectCode() that finds no environment
   * running from it.
   */
  async delete(name: string): Promise<boolean> {
    const deleted = await this.store.deleteFunction(name);
    this.cache.delete(name);
    this.lifecycle.forgetFunction(name);
    if (deleted) {
      for (const listener of this.deletedListeners) listener(name);
      this.codeReleased();
    }
    return deleted;
  }

  /** Whether the store holds a function of this name now (read from it, not from this node's cache: another node may have made it). */
  async stored(name: string): Promise<boolean> {
    return (await this.store.getFunction(name)) !== undefined;
  }

  /** `listener` is called once a function (all its versions) has been deleted. */
  onDeleted(listener: (name: string) => void): void {
    this.deletedListeners.push(listener);
  }

  /** `listener` is called whenever code may have become unreferenced (replaced or deleted). */
  onCodeReleased(listener: () => void): void {
    this.releasedListeners.push(listener);
  }

  /**
   * Remove stored code that neither a function nor a version refers to, except the hashes in
   * `inUse` (code environments still run from: a sandbox shows the code folder itself, so it must
   * stay until they stop). Cheap when nothing was released since the last full collection.
   * Answers the hashes removed.
   */
  collectCode(inUse: ReadonlySet<string>): string[] {
    if (!this.released || this.putting.uploads > 0) return [];
    const referenced = referencedShas([...this.cache.values()], this.lifecycle, this.layers);
    const keep = new Set([...referenced, ...inUse]);
    // Code kept only because an environment runs it is collected when that one stops.
    this.released = [...inUse].some((sha) => !referenced.has(sha));
    return this.code.discard(keep);
  }

  /** Total bytes of stored code, counting each version (as Lambda's TotalCodeSize does). */
  totalCodeSize(): number {
    let total = 0;
    for (const f of this.cache.values()) {
      total += f.codeSize;
      for (const v of this.lifecycle.versionsOf(f.config.name)) total += v.codeSize;
    }
    // Layers count against the same storage, as on Lambda.
    for (const name of this.layers.names()) for (const v of this.layers.versionsOf(name)) total += v.codeSize;
    return total;
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /**
   * Store a zip adding `addedBytes` to the total (refused past the code storage limit), then
   * `commit` the row pointing at it. Nothing is collected meanwhile: the new code is unreferenced
   * until the row is written.
   */
  private async storing<T>(zip: Buffer, addedBytes: number, commit: (code: StoredCode) => Promise<T>): Promise<T> {
    this.checkStorage(addedBytes);
    this.putting.uploads++;
    this.putting.bytes += zip.length;
    try {
      const code = await this.code.put(zip);
      try {
        return await commit(code);
      } catch (err) {
        this.released = true; // stored for a row that was not written: collect it
        throw err;
      }
    } finally {
      this.putting.uploads--;
      this.putting.bytes -= zip.length;
      if (this.putting.uploads === 0 && this.released) this.codeReleased();
    }
  }

  /** Refuse `more` bytes of code when they would take the total past the limit. */
  private checkStorage(more: number): void {
    const total = this.totalCodeSize() + this.putting.bytes;
    if (more > 0 && total + more > this.codeStorageLimit) {
      throw apiError('CodeStorageExceededException',
        `Code storage limit exceeded: storing ${more} more bytes would bring the code of all functions and versions to ` +
        `${total + more} bytes, over this server's limit of ${this.codeStorageLimit} (--code-storage-limit). ` +
        'Delete unused functions or versions, or raise the limit.');
    }
  }

  /** A function's code and layers, unpacked, must fit Lambda's 250 MB together (code-refs.ts). */
  private checkUnpacked(codeSha256: string, layers: readonly LayerRef[] | undefined): Promise<void> {
    return checkUnpackedWithLayers(this.code, codeSha256, layers, this.unpackedLimit);
  }

  private codeReleased(): void {
    this.released = true;
    for (const listener of this.releasedListeners) listener();
  }

  /** The function as stored now (not as cached), checking the revision a caller gave. */
  private async current(name: string, expectedRevisionId?: string): Promise<FunctionRow> {
    const row = await this.store.getFunction(name);
    if (!row) throw functionNotFound(this.arns, name);
    if (expectedRevisionId !== undefined && expectedRevisionId !== row.revisionId) throw revisionMismatch();
    return row;
  }

  /**
   * Check the revision, change and write one row in one transaction of the store, which hands
   * `change` the row as committed (by any writer) and keeps others out until this commit: two
   * updates without a RevisionId both apply, in order; one with a stale RevisionId is refused.
   */
  private async write(name: string, expectedRevisionId: string | undefined, change: (row: FunctionRow) => FunctionRow): Promise<FunctionRecord> {
    const next = await this.store.updateFunction(name, (row) => {
      if (expectedRevisionId !== undefined && expectedRevisionId !== row.revisionId) throw revisionMismatch();
      return { ...change(row), revisionId: randomUUID(), lastModified: lastModifiedNow() };
    });
    if (!next) throw functionNotFound(this.arns, name);
    return this.remember(next);
  }

  private remember(row: FunctionRow): FunctionRecord {
    const record = this.record(row);
    this.cache.set(row.name, record);
    return record;
  }

  private record(row: FunctionRow): FunctionRecord {
    const { config } = row;
    return Object.freeze({
      config: Object.freeze({
        ...config,
        environment: Object.freeze({ ...config.environment }),
        loggingConfig: Object.freeze({ ...config.loggingConfig }),
      }),
      version: row.version,
      codeSha256: row.codeSha256,
      codeSize: row.codeSize,
      revisionId: row.revisionId,
      lastModified: row.lastModified,
      tags: Object.freeze({ ...row.tags }),
      reservedConcurrency: row.reservedConcurrency,
      codeDir: this.code.dirPath(row.codeSha256),
      layerDirs: Object.freeze((config.layers ?? []).map((l) => this.code.dirPath(l.codeSha256))),
    });
  }
}

function alreadyExists(name: string): Error {
  return apiError('ResourceConflictException', `Function already exist: ${name}`);
}
