// The CodeStore conformance suite, run by one short file per implementation
// (code-store-local.test.ts, code-store-postgres.test.ts). A store that is shared between
// machines (`shared`) must also let a second machine, with an empty local cache, run the code.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeStore } from '../../src/registry/code-store.js';

export interface CodeStoreUnderTest {
  readonly name: string;
  /** Zips reach every machine on the same store (not only the one that put them). */
  readonly shared: boolean;
  /** An empty store; `open(root)` gives an instance on it whose local cache is `root`. */
  fresh(): Promise<{ open(root: string): Promise<CodeStore>; cleanup(): Promise<void> }>;
}

// A fixed mtime: zip entries carry their time (2-second resolution), so two calls made across a
// 2-second boundary would otherwise be different bytes with a different sha256.
const MTIME = new Date('2024-01-01T00:00:00Z');
export const codeZip = (text: string): Buffer =>
  Buffer.from(zipSync({ 'lambda_function.py': strToU8(text), 'lib/data.txt': strToU8('é'.repeat(1000)) }, { mtime: MTIME }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const hexEntries = (root: string) => readdirSync(root).filter((n) => /^[0-9a-f]{64}/.test(n)).sort();

export function codeStoreConformance(impl: CodeStoreUnderTest): void {
  describe(`CodeStore: ${impl.name}`, () => {
    let db: Awaited<ReturnType<CodeStoreUnderTest['fresh']>>;
    let dir: string;
    let root: string;
    let store: CodeStore;
    beforeEach(async () => {
      db = await impl.fresh();
      dir = mkdtempSync(join(tmpdir(), 'lambkin-codeconf-'));
      root = join(dir, 'a');
      store = await db.open(root);
    });
    afterEach(async () => {
      await db.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('puts a zip once by its sha256, unpacked, and gives it back byte for byte', async () => {
      const zip = codeZip('one');
      const stored = await store.put(zip);
      expect(stored).toEqual({ sha256: sha(zip), size: zip.length, dir: store.dirPath(sha(zip)) });
      expect(readFileSync(join(stored.dir, 'lambda_function.py'), 'utf8')).toBe('one');
      expect(readFileSync(join(stored.dir, 'lib/data.txt'), 'utf8')).toBe('é'.repeat(1000));
      expect((await store.zip(stored.sha256))?.equals(zip)).toBe(true);
      expect(await store.put(zip)).toEqual(stored);
      const both = await Promise.all([store.put(codeZip('two')), store.put(codeZip('two'))]);
      expect(both[0]).toEqual(both[1]);
      expect(await store.zip('0'.repeat(64))).toBeUndefined();
    });

    it('refuses a bad zip and keeps nothing of it; check() stores nothing', async () => {
      const before = hexEntries(root);
      await expect(store.put(Buffer.from('not a zip'))).rejects.toThrow();
      const escaping = Buffer.from(zipSync({ '../evil.py': strToU8('x') }));
      await expect(store.put(escaping)).rejects.toThrow();
      expect(hexEntries(root)).toEqual(before);
      expect(await store.zip(sha(escaping))).toBeUndefined();
      await store.check(codeZip('checked'));
      await expect(store.check(escaping)).rejects.toThrow();
      expect(hexEntries(root)).toEqual(before);
      expect(await store.zip(sha(codeZip('checked')))).toBeUndefined();
    });

    it('discards what is not kept, and can take it again afterwards', async () => {
      const kept = await store.put(codeZip('kept'));
      const dropped = await store.put(codeZip('dropped'));
      expect(store.discard(new Set([kept.sha256]))).toEqual([dropped.sha256]);
      expect(existsSync(dropped.dir)).toBe(false);
      expect(existsSync(kept.dir)).toBe(true);
      expect(store.discard(new Set([kept.sha256]))).toEqual([]);
      const again = await store.put(codeZip('dropped'));
      expect(readFileSync(join(again.dir, 'lambda_function.py'), 'utf8')).toBe('dropped');
    });

    it('at open, removes leftovers of interrupted puts and what is not kept', async () => {
      const kept = await store.put(codeZip('kept'));
      const other = await store.put(codeZip('other'));
      mkdirSync(join(root, '.tmp-interrupted'));
      const reopened = await db.open(root);
      await reopened.collect(new Set([kept.sha256]));
      // What is collected is renamed to a .tmp- name at once and deleted in the background.
      for (let i = 0; i < 200 && readdirSync(root).some((n) => n.startsWith('.tmp-')); i++) await new Promise((r) => setTimeout(r, 25));
      expect(readdirSync(root).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
      expect(existsSync(kept.dir)).toBe(true);
      expect(existsSync(other.dir)).toBe(false);
      expect((await reopened.zip(kept.sha256))?.equals(codeZip('kept'))).toBe(true);
    });

    it('unpacks again a folder that went missing, from the stored zip', async () => {
      const stored = await store.put(codeZip('lost'));
      rmSync(stored.dir, { recursive: true });
      expect(await store.ensureLocal(stored.sha256)).toBe(true);
      expect(readFileSync(join(stored.dir, 'lambda_function.py'), 'utf8')).toBe('lost');
      expect(await store.ensureLocal(stored.sha256)).toBe(true);
      expect(await store.ensureLocal('0'.repeat(64))).toBe(false);
    });

    it.runIf(impl.shared)('a second machine with an empty cache gets the code from the store', async () => {
      const stored = await store.put(codeZip('shared'));
      const second = await db.open(join(dir, 'b'));
      expect(existsSync(second.dirPath(stored.sha256))).toBe(false);
      expect(await second.ensureLocal(stored.sha256)).toBe(true);
      expect(readFileSync(join(second.dirPath(stored.sha256), 'lambda_function.py'), 'utf8')).toBe('shared');
      expect((await second.zip(stored.sha256))?.equals(codeZip('shared'))).toBe(true);
      // The second machine puts the same zip: stored once, nothing breaks.
      expect((await second.put(codeZip('shared'))).sha256).toBe(stored.sha256);
    });
  });
}
