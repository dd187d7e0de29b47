// The registry's lifecycle (versions, aliases, per-qualifier settings) on real SQLite in a temp
// folder: what survives a reopen, which code the store keeps, weighted picks, and the cascades.
import { existsSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/registry/registry.js';
import type { FunctionConfig } from '../../src/registry/types.js';
import { apiFailure } from '../helpers/failure.js';
import { closeTempRegistry, functionConfig, openTempRegistry } from '../helpers/registry.js';

const zip = (text: string): Buffer => Buffer.from(zipSync({ 'lambda_function.py': strToU8(text) }));
const V1 = zip('def lambda_handler(e, c):\n    return 1\n');
const V2 = zip('def lambda_handler(e, c):\n    return 2\n');

const config = (name: string): FunctionConfig => functionConfig(name);


let dir: string;
let registry: Registry;
beforeEach(async () => {
  ({ dir, registry } = await openTempRegistry('lambkin-lifecycle-'));
});
afterEach(() => closeTempRegistry({ dir, registry }));

describe('registry lifecycle', () => {
  it('keeps versions, aliases and settings across a reopen, and the code every version uses', async () => {
    await registry.create({ config: config('f'), zip: V1, tags: {} });
    const v1 = await registry.publish('f');
    await registry.updateCode('f', V2);
    const v2 = await registry.publish('f', { description: 'second' });
    await registry.lifecycle.putAlias('f', 'live', { functionVersion: '1', description: '', weights: { '2': 0.25 } }, null);
    await registry.lifecycle.putSetting('f', 'live', 'url', { authType: 'NONE' });
    await registry.close();

    registry = await Registry.open(dir);
    expect(registry.lifecycle.versionsOf('f').map((v) => [v.version, v.codeSha256])).toEqual([['1', v1.codeSha256], ['2', v2.codeSha256]]);
    expect(registry.lifecycle.version('f', '2')?.config.description).toBe('second');
    expect(existsSync(registry.lifecycle.version('f', '1')!.codeDir)).toBe(true); // not collected: version 1 still uses it
    expect(registry.resolve('f', 'live')?.record.version).toBe('1');
    expect(registry.pick('f', 'live', 0.1)?.version).toBe('2');
    expect(registry.pick('f', 'live', 0.3)?.version).toBe('1');
    expect(registry.lifecycle.setting('f', 'live', 'url')).toEqual({ authType: 'NONE' });
  });

  it('publishes nothing new while $LATEST is unchanged, and never reuses a number', async () => {
    await registry.create({ config: config('g'), zip: V1, tags: {} });
    expect((await registry.publish('g')).version).toBe('1');
    expect((await registry.publish('g')).version).toBe('1');
    await registry.updateConfig('g', { timeout: 9 });
    expect((await registry.publish('g')).version).toBe('2');
    await registry.lifecycle.deleteVersion('g', '2');
    await registry.updateConfig('g', { timeout: 10 });
    expect((await registry.publish('g')).version).toBe('3');
  });

  it('refuses to delete an aliased version, and forgets everything with the function', async () => {
    await registry.create({ config: config('h'), zip: V1, tags: {} });
    await registry.publish('h');
    await registry.lifecycle.putAlias('h', 'a', { functionVersion: '1', description: '', weights: {} }, null);
    await registry.lifecycle.putSetting('h', '1', 'provisioned', { count: 1 });
    expect((await apiFailure(() => registry.lifecycle.deleteVersion('h', '1'))).errorName).toBe('ResourceConflictException');
    await registry.delete('h');
    await registry.create({ config: config('h'), zip: V2, tags: {} });
    expect(registry.lifecycle.versionsOf('h')).toEqual([]);
    expect(registry.lifecycle.alias('h', 'a')).toBeUndefined();
    expect(registry.lifecycle.settingsOf('provisioned', 'h')).toEqual([]);
    expect((await registry.publish('h')).version).toBe('1');
  });
});
