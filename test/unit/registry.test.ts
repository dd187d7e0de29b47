// The registry on a real SQLite database and a real code store in a temp folder.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/errors.js';
import { Registry } from '../../src/registry/registry.js';
import { unpackZip } from '../../src/registry/unzip.js';
import { apiFailure } from '../helpers/failure.js';
import { closeTempRegistry, functionConfig, openTempRegistry } from '../helpers/registry.js';

const UNIX = 3;
const file = (text: string, mode = 0o644): Zippable[string] => [strToU8(text), { os: UNIX, attrs: ((0o100000 | mode) << 16) >>> 0 }];
const link = (target: string): Zippable[string] => [strToU8(target), { os: UNIX, attrs: ((0o120777 << 16) >>> 0) }];
const zip = (entries: Zippable): Buffer => Buffer.from(zipSync(entries));
const HELLO = zip({ 'lambda_function.py': file('def lambda_handler(e, c):\n    return e\n') });

const config = functionConfig;


let dir: string;
let registry: Registry;
beforeEach(async () => {
  ({ dir, registry } = await openTempRegistry('lambkin-registry-'));
});
afterEach(() => closeTempRegistry({ dir, registry }));

describe('functions', () => {
  it('creates a function whose code is unpacked and addressed by its sha256', async () => {
    const rec = await registry.create({ config: config('hello'), zip: HELLO, tags: { team: 'a' } });
    expect(rec.version).toBe('$LATEST');
    expect(rec.codeSize).toBe(HELLO.length);
    expect(rec.codeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.codeDir).toBe(join(dir, 'code', rec.codeSha256));
    expect(readFileSync(join(rec.codeDir, 'lambda_function.py'), 'utf8')).toContain('lambda_handler');
    expect(existsSync(join(dir, 'code', `${rec.codeSha256}.zip`))).toBe(true);
    expect(rec.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(rec.tags).toEqual({ team: 'a' });
    expect(registry.get('hello')).toBe(rec);
    expect(Object.isFrozen(rec.config.environment)).toBe(true);
  });

  it('refuses a second function of the same name, with Lambda\'s wording', async () => {
    await registry.create({ config: config('dup'), zip: HELLO, tags: {} });
    const err = await apiFailure(() => registry.create({ config: config('dup'), zip: HELLO, tags: {} }));
    expect(err.errorName).toBe('ResourceConflictException');
    expect(err.message).toBe('Function already exist: dup');
  });

  it('lists by name, in pages of at most 50, with an opaque marker', async () => {
    for (const name of ['e', 'b', 'a', 'd', 'c']) await registry.create({ config: config(name), zip: HELLO, tags: {} });
    const first = await registry.list(undefined, 2);
    expect(first.functions.map((f) => f.config.name)).toEqual(['a', 'b']);
    const second = await registry.list(first.nextMarker, 2);
    expect(second.functions.map((f) => f.config.name)).toEqual(['c', 'd']);
    const third = await registry.list(second.nextMarker, 2);
    expect(third.functions.map((f) => f.config.name)).toEqual(['e']);
    expect(third.nextMarker).toBeUndefined();
    expect((await apiFailure(() => registry.list('not a marker!'))).errorName).toBe('InvalidParameterValueException');
    for (let i = 0; i < 50; i++) await registry.create({ config: config(`f${String(i).padStart(2, '0')}`), zip: HELLO, tags: {} });
    const big = await registry.list(undefined, 1000);
    expect(big.functions).toHaveLength(50);
    expect(big.nextMarker).toBeDefined();
  });

  it('updates code and configuration, each with a new revision', async () => {
    const created = await registry.create({ config: config('up'), zip: HELLO, tags: {} });
    const newZip = zip({ 'lambda_function.py': file('def lambda_handler(e, c):\n    return 2\n') });
    const coded = await registry.updateCode('up', newZip, created.revisionId);
    expect(coded.codeSha256).not.toBe(created.codeSha256);
    expect(coded.revisionId).not.toBe(created.revisionId);
    expect(readFileSync(join(coded.codeDir, 'lambda_function.py'), 'utf8')).toContain('return 2');
    const configured = await registry.updateConfig('up', { timeout: 30, environment: { A: '1' }, handler: undefined });
    expect(configured.config.timeout).toBe(30);
    expect(configured.config.handler).toBe('lambda_function.lambda_handler');
    expect(configured.config.environment).toEqual({ A: '1' });
    expect(configured.codeSha256).toBe(coded.codeSha256);
    expect(registry.get('up')).toBe(configured);
  });

  it('refuses an update with a stale RevisionId (412) and an unknown function (404)', async () => {
    const created = await registry.create({ config: config('rev'), zip: HELLO, tags: {} });
    await registry.updateConfig('rev', { timeout: 5 });
    const stale = await apiFailure(() => registry.updateConfig('rev', { timeout: 6 }, created.revisionId));
    expect(stale.errorName).toBe('PreconditionFailedException');
    expect(stale.status).toBe(412);
    const staleCode = await apiFailure(() => registry.updateCode('rev', HELLO, created.revisionId));
    expect(staleCode.errorName).toBe('PreconditionFailedException');
    expect(registry.get('rev')?.config.timeout).toBe(5);
    const missing = await apiFailure(() => registry.updateCode('nope', HELLO));
    expect(missing.errorName).toBe('ResourceNotFoundException');
    expect(missing.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
  });

  it('shares one unpack between concurrent uploads of the same zip, and lets one of two same-name creates win', async () => {
    const [a, b] = await Promise.all([
      registry.create({ config: config('a'), zip: HELLO, tags: {} }),
      registry.create({ config: config('b'), zip: HELLO, tags: {} }),
    ]);
    expect(a.codeDir).toBe(b.codeDir);
    const results = await Promise.allSettled([
      registry.create({ config: config('same'), zip: zip({ 'x.py': file('1') }), tags: {} }),
      registry.create({ config: config('same'), zip: zip({ 'y.py': file('2') }), tags: {} }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as ApiError).errorName).toBe('ResourceConflictException');
  });

  it('deletes', async () => {
    await registry.create({ config: config('del'), zip: HELLO, tags: {} });
    expect(await registry.delete('del')).toBe(true);
    expect(registry.get('del')).toBeUndefined();
    expect(await registry.delete('del')).toBe(false);
  });

  it('keeps everything across close and open', async () => {
    const rec = await registry.create({ config: config('keep', { environment: { K: 'v' } }), zip: HELLO, tags: { t: '1' } });
    await registry.close();
    registry = await Registry.open(dir);
    expect(registry.get('keep')).toEqual(rec);
  });

  it('changes nothing when the zip is bad', async () => {
    const err = await apiFailure(() => registry.create({ config: config('bad'), zip: Buffer.from('not a zip'), tags: {} }));
    expect(err.errorName).toBe('InvalidParameterValueException');
    expect(err.message).toMatch(/^Could not unzip uploaded file\. Please check your file, then try to upload again\./);
    expect(registry.get('bad')).toBeUndefined();
    expect(readdirSync(join(dir, 'code'))).toEqual([]);
    await registry.create({ config: config('good'), zip: HELLO, tags: {} });
    const before = registry.get('good');
    await apiFailure(() => registry.updateCode('good', Buffer.from('PK\x03\x04 nope')));
    expect(registry.get('good')).toBe(before);
  });
});

describe('crash safety', () => {
  it('removes leftovers of interrupted writes and unreferenced code on open, and keeps what is used', async () => {
    const rec = await registry.create({ config: config('used'), zip: HELLO, tags: {} });
    await registry.close();
    const code = join(dir, 'code');
    const orphan = 'f'.repeat(64);
    // What a kill -9 can leave: a half-unpacked temp folder, a half-written temp zip, and a
    // complete code version whose function row never committed.
    mkdirSync(join(code, '.tmp-1234/sub'), { recursive: true });
    writeFileSync(join(code, '.tmp-1234/sub/half'), 'x');
    writeFileSync(join(code, '.tmp-5678.zip'), 'PK');
    mkdirSync(join(code, orphan));
    writeFileSync(join(code, `${orphan}.zip`), 'PK');
    registry = await Registry.open(dir);
    expect(readdirSync(code).sort()).toEqual([rec.codeSha256, `${rec.codeSha256}.zip`].sort());
    expect(registry.get('used')?.codeDir).toBe(rec.codeDir);
  });

  it('unpacks a stored zip again when its folder was lost', async () => {
    const rec = await registry.create({ config: config('lost'), zip: HELLO, tags: {} });
    await registry.close();
    rmSync(rec.codeDir, { recursive: true });
    registry = await Registry.open(dir);
    await registry.repaired;
    expect(existsSync(join(rec.codeDir, 'lambda_function.py'))).toBe(true);
  });

  it('keeps code that an earlier version of a function used until the next open', async () => {
    const first = await registry.create({ config: config('v'), zip: HELLO, tags: {} });
    await registry.updateCode('v', zip({ 'lambda_function.py': file('# 2') }));
    expect(existsSync(first.codeDir)).toBe(true); // a warm environment may still run from it
    await registry.close();
    registry = await Registry.open(dir);
    expect(existsSync(first.codeDir)).toBe(false);
  });
});

describe('zip safety', () => {
  let out: string;
  beforeEach(async () => {
    out = join(dir, 'out');
  });
  const bad = async (z: Buffer, pattern: RegExp, limits?: { maxBytes: number; maxEntries: number }) => {
    const err = await apiFailure(() => unpackZip(z, out, limits));
    expect(err.errorName).toBe('InvalidParameterValueException');
    expect(err.message).toMatch(pattern);
  };

  it('keeps file modes and an extra top folder', async () => {
    await unpackZip(zip({ 'pkg/bootstrap': file('#!/bin/sh\n', 0o755), 'pkg/data.txt': file('x', 0o640) }), out);
    expect(statSync(join(out, 'pkg/bootstrap')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'pkg/data.txt')).mode & 0o777).toBe(0o640);
  });

  it('gives files from DOS/Windows zips (no unix mode) 0644', async () => {
    await unpackZip(zip({ 'a/b.txt': strToU8('x') }), out);
    expect(statSync(join(out, 'a/b.txt')).mode & 0o777).toBe(0o644);
  });

  it('refuses what is not a zip', () => bad(Buffer.from('hello'), /^Could not unzip uploaded file/));
  it('refuses `..` (zip slip)', () => bad(zip({ '../evil.txt': file('x') }), /invalid relative path/));
  it('refuses `..` in the middle of a name', () => bad(zip({ 'a/../../evil.txt': file('x') }), /invalid relative path/));
  it('refuses absolute paths', () => bad(zip({ '/etc/evil': file('x') }), /absolute path/));
  it('refuses a symlink pointing outside', () => bad(zip({ 'l': link('../../etc/passwd') }), /points outside/));
  it('refuses a symlink to an absolute path', () => bad(zip({ 'l': link('/etc/passwd') }), /absolute/));
  it('refuses a chain of symlinks that escapes though each looks inside', () =>
    bad(zip({ 'sub/x': file('x'), 'sub/up': link('..'), 'esc': link('sub/up/..') }), /points outside/));
  it('refuses a symlink loop', () => bad(zip({ 'a': link('b'), 'b': link('a') }), /loop/));
  it('refuses a symlink inside a symlink', () => bad(zip({ 'd': link('x'), 'd/l': link('y') }), /inside symlink|both a symlink/));
  it('refuses a file written through a symlink folder', () =>
    bad(zip({ 'd': link('.'), 'd/f': file('x') }), /both a symlink and a file or folder|collide/));
  it('refuses a file that is also a folder', () => bad(zip({ 'a': file('x'), 'a/b': file('y') }), /both a file and a folder/));
  it('refuses device files', () =>
    bad(zip({ 'dev': [strToU8(''), { os: UNIX, attrs: ((0o020644 << 16) >>> 0) }] }), /device/));

  it('keeps symlinks that stay inside, as links', async () => {
    await unpackZip(zip({ 'pkg/cli.js': file('1', 0o755), 'node_modules/.bin/cli': link('../../pkg/cli.js') }), out);
    expect(lstatSync(join(out, 'node_modules/.bin/cli')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'node_modules/.bin/cli'))).toBe('../../pkg/cli.js');
    expect(readFileSync(join(out, 'node_modules/.bin/cli'), 'utf8')).toBe('1');
  });

  it('refuses more than 20,000 entries before unpacking any', async () => {
    const many: Zippable = {};
    for (let i = 0; i <= 20_000; i++) many[`f${i}`] = strToU8('');
    await bad(zip(many), /20001 entries/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a zip declaring more than 262,144,000 bytes, before writing it', async () => {
    // One small entry whose central directory claims 300 MB.
    const z = zip({ 'a.bin': file('x'), 'b.bin': file('y') });
    const cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    z.writeUInt32LE(300_000_000, cd + 24);
    await bad(z, /^Unzipped size must be smaller than 262144000 bytes$/);
  });

  it('cuts off an entry that inflates to more than it declares', async () => {
    const z = zip({ 'bomb.bin': [new Uint8Array(4 * 1024 * 1024), { os: UNIX, attrs: (0o100644 << 16) >>> 0 }] });
    const local = z.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    z.writeUInt32LE(1000, local + 22);
    z.writeUInt32LE(1000, cd + 24);
    await bad(z, /too many bytes|^Could not unzip/);
    const written = existsSync(join(out, 'bomb.bin')) ? statSync(join(out, 'bomb.bin')).size : 0;
    expect(written).toBeLessThanOrEqual(1000);
  });

  it('stops streaming at the total limit (honest sizes, lowered limit)', async () => {
    const z = zip({ 'a.bin': new Uint8Array(600_000), 'b.bin': new Uint8Array(600_000) });
    await bad(z, /^Unzipped size must be smaller than 1000000 bytes$/, { maxBytes: 1_000_000, maxEntries: 10 });
  });
});
