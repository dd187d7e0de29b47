// The RegistryStore conformance suite: what every implementation must do, run by one short file
// per implementation (registry-sqlite.test.ts, registry-postgres.test.ts). Cases go through the
// store directly (its contract) and through the Registry over it (what the Lambda API relies on:
// RevisionId checks, conflicts, numbering). "Two nodes" are two store instances on one database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/errors.js';
import { LocalCodeStore } from '../../src/registry/local/code-store.js';
import { Registry } from '../../src/registry/registry.js';
import type { FunctionRow, LayerVersionRow, RegistryStore, VersionRow } from '../../src/registry/store.js';
import type { FunctionConfig } from '../../src/registry/types.js';
import { apiFailure } from '../helpers/failure.js';
import { functionConfig } from '../helpers/registry.js';

export interface RegistryStoreUnderTest {
  readonly name: string;
  /** An empty database; `open` then gives store instances on it (a second node, or a restart). */
  fresh(): Promise<{ open(): Promise<RegistryStore>; cleanup(): Promise<void> }>;
}

const ZIP = Buffer.from(zipSync({ 'lambda_function.py': strToU8('def lambda_handler(e, c):\n    return 1\n') }));

/** A stored configuration with a non-ASCII environment value, which every store must keep as it is. */
export function config(name: string, over: Partial<FunctionConfig> = {}): FunctionConfig {
  return functionConfig(name, { environment: { A: 'é' }, ...over });
}

function row(name: string, over: Partial<FunctionRow> = {}): FunctionRow {
  return {
    name, config: config(name), version: '$LATEST', codeSha256: 'a'.repeat(64), codeSize: 3_000_000_000, revisionId: `r-${name}`,
    lastModified: '2026-12-07T10:00:00.000+0000', tags: { team: 'x' }, reservedConcurrency: undefined, ...over,
  };
}

const version = (latest: FunctionRow, number: number): VersionRow => ({
  name: latest.name, version: number, config: latest.config, codeSha256: latest.codeSha256, codeSize: latest.codeSize,
  revisionId: `v${number}`, lastModified: latest.lastModified,
});

const layerVersion = (layer: string) => (number: number): LayerVersionRow => ({
  layer, version: number, description: `v${number} é`, createdDate: '2026-12-07T10:00:00.000+0000', codeSha256: 'b'.repeat(64),
  codeSize: 3_000_000_000, compatibleRuntimes: ['nodejs20.x', 'python3.12'], compatibleArchitectures: ['x86_64'], licenseInfo: 'MIT',
});


export function registryConformance(impl: RegistryStoreUnderTest): void {
  describe(`RegistryStore: ${impl.name}`, () => {
    let db: Awaited<ReturnType<RegistryStoreUnderTest['fresh']>>;
    let store: RegistryStore;
    const opened: RegistryStore[] = [];
    const dirs: string[] = [];
    const open = async () => {
      const s = await db.open();
      opened.push(s);
      return s;
    };
    const registryOn = async (s: RegistryStore) => {
      const dir = mkdtempSync(join(tmpdir(), 'lambkin-regconf-'));
      dirs.push(dir);
      return Registry.openStore(s, new LocalCodeStore(dir));
    };

    beforeEach(async () => {
      db = await impl.fresh();
      store = await open();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      await db.cleanup();
    });

    it('functions: insert once, read back exactly, update, delete', async () => {
      expect(await store.insertFunction(row('f', { reservedConcurrency: 5 }))).toBe(true);
      expect(await store.insertFunction(row('f', { revisionId: 'other' }))).toBe(false);
      expect(await store.getFunction('f')).toEqual(row('f', { reservedConcurrency: 5 }));
      expect(await store.getFunction('nope')).toBeUndefined();
      const updated = await store.updateFunction('f', (r) => ({ ...r, revisionId: 'r2', reservedConcurrency: undefined }));
      expect(updated).toEqual(row('f', { revisionId: 'r2' }));
      expect(await store.getFunction('f')).toEqual(row('f', { revisionId: 'r2' }));
      let called = false;
      expect(await store.updateFunction('nope', (r) => { called = true; return r; })).toBeUndefined();
      expect(called).toBe(false);
      expect(await store.deleteFunction('f')).toBe(true);
      expect(await store.deleteFunction('f')).toBe(false);
      expect(await store.getFunction('f')).toBeUndefined();
    });

    it('a change that throws writes nothing', async () => {
      await store.insertFunction(row('f'));
      await expect(store.updateFunction('f', () => { throw new Error('refused'); })).rejects.toThrow('refused');
      expect(await store.getFunction('f')).toEqual(row('f'));
      await expect(store.updateAlias('f', 'a', () => { throw new Error('no'); })).rejects.toThrow('no');
      await expect(store.updateSetting('f', '$LATEST', 'url', () => { throw new Error('no'); })).rejects.toThrow('no');
      expect(await store.load()).toEqual({ functions: [row('f')], versions: [], aliases: [], settings: [], layerVersions: [] });
    });

    it('lists in byte order, in pages, at every boundary', async () => {
      const names = ['b', 'a', 'B', 'a-1', 'a_1', 'z', 'Z9'];
      for (const n of names) await store.insertFunction(row(n));
      const sorted = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect((await store.listFunctions('', 100)).map((r) => r.name)).toEqual(sorted);
      expect((await store.listFunctions('', sorted.length)).map((r) => r.name)).toEqual(sorted);
      expect((await store.listFunctions('', 1)).map((r) => r.name)).toEqual([sorted[0]]);
      expect((await store.listFunctions(sorted[2]!, 2)).map((r) => r.name)).toEqual(sorted.slice(3, 5));
      expect(await store.listFunctions(sorted.at(-1)!, 10)).toEqual([]);
      expect((await store.listFunctions('a', 10)).map((r) => r.name)).toEqual(sorted.slice(sorted.indexOf('a') + 1));
      await store.deleteFunction('b');
      expect((await store.listFunctions('a_1', 10)).map((r) => r.name)).toEqual(['z']);
    });

    it('versions: numbered by a counter that never goes back, deleted with their settings', async () => {
      expect(await store.publishVersion('nope', version)).toBeUndefined();
      await store.insertFunction(row('f'));
      expect((await store.publishVersion('f', version))?.version).toBe(1);
      expect((await store.publishVersion('f', version))?.version).toBe(2);
      await store.updateSetting('f', '2', 'provisioned', () => ({ count: 1 }));
      await store.updateSetting('f', '1', 'provisioned', () => ({ count: 2 }));
      expect(await store.deleteVersion('f', 2)).toBe(true);
      expect(await store.deleteVersion('f', 2)).toBe(false);
      await expect(store.publishVersion('f', () => { throw new Error('refused'); })).rejects.toThrow('refused');
      expect((await store.publishVersion('f', version))?.version).toBe(3);
      const loaded = await store.load();
      expect(loaded.versions.map((v) => v.version).sort()).toEqual([1, 3]);
      expect(loaded.versions.find((v) => v.version === 1)).toEqual(version(row('f'), 1));
      expect(loaded.settings).toEqual([{ name: 'f', qualifier: '1', kind: 'provisioned', value: { count: 2 } }]);
    });

    it('a function created with its version 1 (CreateFunction with Publish): both or neither', async () => {
      expect(await store.insertFunction(row('f'), version(row('f'), 1))).toBe(true);
      expect(await store.insertFunction(row('f', { revisionId: 'again' }), { ...version(row('f'), 1), revisionId: 'again' })).toBe(false);
      const loaded = await store.load();
      expect(loaded.functions).toEqual([row('f')]);
      expect(loaded.versions).toEqual([version(row('f'), 1)]);
      expect((await store.publishVersion('f', version))?.version).toBe(2);
    });

    it('aliases and settings: created, changed from what is stored, deleted with their settings', async () => {
      await store.insertFunction(row('f'));
      const seen: unknown[] = [];
      const alias = (current: unknown) => {
        seen.push(current);
        return { name: 'f', alias: 'live', functionVersion: '1', description: 'd', weights: { '2': 0.25 }, revisionId: `a${seen.length}` };
      };
      await store.updateAlias('f', 'live', alias);
      await store.updateAlias('f', 'live', alias);
      expect(seen[0]).toBeUndefined();
      expect(seen[1]).toEqual({ name: 'f', alias: 'live', functionVersion: '1', description: 'd', weights: { '2': 0.25 }, revisionId: 'a1' });
      expect(await store.updateSetting<{ n: number }>('f', 'live', 'url', (c) => ({ n: (c?.n ?? 0) + 1 }))).toEqual({ n: 1 });
      expect(await store.updateSetting<{ n: number }>('f', 'live', 'url', (c) => ({ n: (c?.n ?? 0) + 1 }))).toEqual({ n: 2 });
      await store.updateSetting('f', '$LATEST', 'event-invoke', () => ({ MaximumRetryAttempts: 0, nested: { a: [1, 'x'] } }));
      expect(await store.deleteAlias('f', 'live')).toBe(true);
      expect(await store.deleteAlias('f', 'live')).toBe(false);
      expect(await store.deleteSetting('f', '$LATEST', 'url')).toBe(false);
      const loaded = await store.load();
      expect(loaded.aliases).toEqual([]);
      expect(loaded.settings).toEqual([{ name: 'f', qualifier: '$LATEST', kind: 'event-invoke', value: { MaximumRetryAttempts: 0, nested: { a: [1, 'x'] } } }]);
      expect(await store.deleteSetting('f', '$LATEST', 'event-invoke')).toBe(true);
    });

    it('a deleted function takes its versions, aliases and settings along; a new one of that name starts again at version 1', async () => {
      await store.insertFunction(row('f'));
      await store.insertFunction(row('g'));
      await store.publishVersion('f', version);
      await store.publishVersion('g', version);
      await store.updateAlias('f', 'a', () => ({ name: 'f', alias: 'a', functionVersion: '1', description: '', weights: {}, revisionId: 'x' }));
      await store.updateSetting('f', 'a', 'url', () => ({ authType: 'NONE' }));
      await store.updateSetting('g', '$LATEST', 'url', () => ({ authType: 'NONE' }));
      expect(await store.deleteFunction('f')).toBe(true);
      const loaded = await store.load();
      expect(loaded.functions.map((f) => f.name)).toEqual(['g']);
      expect(loaded.versions.map((v) => v.name)).toEqual(['g']);
      expect(loaded.aliases).toEqual([]);
      expect(loaded.settings.map((s) => s.name)).toEqual(['g']);
      await store.insertFunction(row('f'));
      expect((await store.publishVersion('f', version))?.version).toBe(1);
    });

    it('keeps everything across a restart', async () => {
      await store.insertFunction(row('f', { reservedConcurrency: 0 }));
      await store.publishVersion('f', version);
      await store.updateAlias('f', 'a', () => ({ name: 'f', alias: 'a', functionVersion: '1', description: 'é', weights: {}, revisionId: 'x' }));
      await store.updateSetting('f', 'a', 'url', () => ({ authType: 'AWS_IAM' }));
      const before = await store.load();
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      store = await open();
      expect(await store.load()).toEqual(before);
      expect((await store.getFunction('f'))?.reservedConcurrency).toBe(0);
      expect((await store.publishVersion('f', version))?.version).toBe(2);
    });

    it('two nodes updating one function at once: every update applies, none is lost', async () => {
      const other = await open();
      await store.insertFunction(row('f', { config: config('f', { timeout: 0 }) }));
      const bump = (s: RegistryStore) => s.updateFunction('f', (r) => ({ ...r, config: { ...r.config, timeout: r.config.timeout + 1 } }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? store : other)));
      expect((await other.getFunction('f'))?.config.timeout).toBe(20);
      const count = (s: RegistryStore) => s.updateSetting<{ n: number }>('f', '$LATEST', 'event-invoke', (c) => ({ n: (c?.n ?? 0) + 1 }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => count(i % 2 === 0 ? store : other)));
      expect((await store.load()).settings[0]?.value).toEqual({ n: 20 });
      const published = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).publishVersion('f', version)));
      expect(published.map((v) => v?.version).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('two nodes creating one alias at once: one creates it, the other sees it there', async () => {
      const other = await open();
      await store.insertFunction(row('f'));
      const results = await Promise.allSettled([store, other, store, other].map((s, i) => s.updateAlias('f', 'a', (current) => {
        if (current) throw new Error('exists');
        return { name: 'f', alias: 'a', functionVersion: '$LATEST', description: String(i), weights: {}, revisionId: String(i) };
      })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual(Array(3).fill('Error: exists'));
    });

    it('layer versions: numbered per layer by a counter that never goes back, policies changed from what is stored', async () => {
      expect((await store.publishLayerVersion('lib', layerVersion('lib'))).version).toBe(1);
      expect(await store.publishLayerVersion('lib', layerVersion('lib'))).toEqual(layerVersion('lib')(2));
      expect((await store.publishLayerVersion('other', layerVersion('other'))).version).toBe(1);
      expect(await store.deleteLayerVersion('lib', 2)).toBe(true);
      expect(await store.deleteLayerVersion('lib', 2)).toBe(false);
      expect(await store.deleteLayerVersion('lib', 1)).toBe(true);
      await expect(store.publishLayerVersion('lib', () => { throw new Error('refused'); })).rejects.toThrow('refused');
      expect((await store.publishLayerVersion('lib', layerVersion('lib'))).version).toBe(3);
      const policy = { statements: [{ Sid: 's1', Effect: 'Allow', Principal: '*', Action: 'lambda:GetLayerVersion' }], revisionId: 'p1' };
      expect(await store.updateLayerVersion('lib', 3, (c) => ({ ...c, policy }))).toEqual({ ...layerVersion('lib')(3), policy });
      expect(await store.updateLayerVersion('lib', 2, (c) => c)).toBeUndefined();
      await expect(store.updateLayerVersion('lib', 3, () => { throw new Error('no'); })).rejects.toThrow('no');
      const loaded = (await store.load()).layerVersions;
      expect(loaded.sort((a, b) => (a.layer < b.layer ? -1 : 1))).toEqual([{ ...layerVersion('lib')(3), policy }, layerVersion('other')(1)]);
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      store = await open();
      expect((await store.load()).layerVersions).toHaveLength(2);
      expect((await store.publishLayerVersion('lib', layerVersion('lib'))).version).toBe(4);
    });

    it('two nodes publishing one layer at once: every version gets its own number', async () => {
      const other = await open();
      const published = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).publishLayerVersion('lib', layerVersion('lib'))));
      expect(published.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    describe('under the Registry', () => {
      it('a deleted layer version keeps its code for the functions that use it; unused, it is collected', async () => {
        const a = await registryOn(store);
        const layerZip = Buffer.from(zipSync({ 'python/lib.py': strToU8('X = 1\n') }));
        const layer = await a.publishLayer('lib', layerZip, { description: '', compatibleRuntimes: [], compatibleArchitectures: [] });
        const refs = a.layers.resolve([`arn:aws:lambda:us-east-1:000000000000:layer:lib:${layer.version}`]);
        await a.create({ config: config('f', { layers: refs }), zip: ZIP, tags: {} });
        await a.deleteLayerVersion('lib', layer.version);
        expect(a.layers.get('lib', layer.version)).toBeUndefined();
        expect((await apiFailure(async () => a.layers.resolve([refs[0]!.arn]))).errorName).toBe('InvalidParameterValueException');
        expect(a.collectCode(new Set())).not.toContain(layer.codeSha256);
        const b = await registryOn(await open()); // a restart sees the same
        expect(b.get('f')?.config.layers).toEqual(refs);
        await a.updateConfig('f', { layers: [] });
        expect(a.collectCode(new Set())).toContain(layer.codeSha256);
      });


      it('a stale RevisionId is refused (412) on either node; updates without one both apply', async () => {
        const a = await registryOn(store);
        const b = await registryOn(await open());
        const created = await a.create({ config: config('f'), zip: ZIP, tags: {} });
        await Promise.all([a.updateConfig('f', { timeout: 30 }), b.updateConfig('f', { memorySize: 512 })]);
        const both = await a.list();
        expect(both.functions[0]?.config).toMatchObject({ timeout: 30, memorySize: 512 });
        const stale = await Promise.allSettled([
          a.updateConfig('f', { description: 'a' }, both.functions[0]!.revisionId),
          b.updateConfig('f', { description: 'b' }, both.functions[0]!.revisionId),
        ]);
        expect(stale.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = stale.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect((refused.reason as ApiError).errorName).toBe('PreconditionFailedException');
        expect((await apiFailure(() => b.updateCode('f', ZIP, created.revisionId))).errorName).toBe('PreconditionFailedException');
        expect((await apiFailure(() => b.publish('f', { revisionId: created.revisionId }))).errorName).toBe('PreconditionFailedException');
        expect((await apiFailure(() => b.create({ config: config('f'), zip: ZIP, tags: {} }))).errorName).toBe('ResourceConflictException');
      });

      it('aliases: a second create conflicts, a stale RevisionId is refused, a deleted function is gone everywhere', async () => {
        const a = await registryOn(store);
        await a.create({ config: config('f'), zip: ZIP, tags: {} });
        const v1 = await a.publish('f');
        const alias = await a.lifecycle.putAlias('f', 'live', { functionVersion: v1.version, description: '', weights: {} }, null);
        const b = await registryOn(await open());
        expect((await apiFailure(() => b.lifecycle.putAlias('f', 'live', { functionVersion: '1', description: '', weights: {} }, null))).errorName)
          .toBe('ResourceConflictException');
        await b.lifecycle.putAlias('f', 'live', { functionVersion: '$LATEST', description: 'moved', weights: {} }, alias.revisionId);
        expect((await apiFailure(() => a.lifecycle.putAlias('f', 'live', { functionVersion: '1', description: '', weights: {} }, alias.revisionId))).errorName)
          .toBe('PreconditionFailedException');
        expect(await b.delete('f')).toBe(true);
        expect(await store.load()).toEqual({ functions: [], versions: [], aliases: [], settings: [], layerVersions: [] });
        const c = await registryOn(await open());
        expect(c.get('f')).toBeUndefined();
        expect((await apiFailure(() => c.updateConfig('f', { timeout: 4 }))).errorName).toBe('ResourceNotFoundException');
      });
    });
  });
}
