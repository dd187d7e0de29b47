// The ConsoleStore conformance suite (src/api/console-api/store.ts): deploy history and recorded
// payloads as the console's routes rely on them, run by one short file per implementation
// (console-store-sqlite.test.ts). Behaviour only, never SQL: a PostgreSQL implementation passes the
// same cases. Retention is checked by waiting for the store's own sweep (a short interval), never
// by sleeping a fixed time.
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleStore, ConsoleStoreOptions, Deploy, RecordedItem } from '../../src/api/console-api/store.js';
import { waitFor } from '../helpers/functions.js';

export interface ConsoleStorePlace {
  /** Open the store (again after a close: the same data). */
  open(options?: ConsoleStoreOptions): Promise<ConsoleStore>;
  /** Remove the store; its instances are closed first. */
  remove(): Promise<void>;
}

export interface ConsoleStoreUnderTest {
  readonly name: string;
  /** A fresh, empty store. */
  fresh(): Promise<ConsoleStorePlace>;
}

function deploy(functionName: string, kind: Deploy['kind'] = 'code', more: Partial<Deploy> = {}): Deploy {
  return {
    functionName, at: Date.now(), kind, version: undefined, codeSha256: undefined, codeSize: undefined, revisionId: undefined,
    runtime: undefined, handler: undefined, memorySize: undefined, timeout: undefined, ...more,
  };
}

function recorded(requestId: string, event = `{"id":"${requestId}"}`, at = Date.now()): RecordedItem {
  return { requestId, at, payload: { event, response: '"ok"', truncated: false } };
}

export function consoleStoreConformance(impl: ConsoleStoreUnderTest): void {
  describe(`ConsoleStore conformance: ${impl.name}`, () => {
    const places: ConsoleStorePlace[] = [];
    const open: ConsoleStore[] = [];

    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
      for (const p of places.splice(0)) await p.remove();
    });

    async function place(): Promise<ConsoleStorePlace> {
      const p = await impl.fresh();
      places.push(p);
      return p;
    }

    async function openOn(p: ConsoleStorePlace, options?: ConsoleStoreOptions): Promise<ConsoleStore> {
      const s = await p.open(options);
      open.push(s);
      return s;
    }

    async function reopen(p: ConsoleStorePlace, s: ConsoleStore): Promise<ConsoleStore> {
      await s.close();
      open.splice(open.indexOf(s), 1);
      return openOn(p);
    }

    async function store(options?: ConsoleStoreOptions): Promise<ConsoleStore> {
      return openOn(await place(), options);
    }

    describe('deploy history', () => {
      it('answers every field as written, and leaves unknown ones undefined', async () => {
        const s = await store();
        const full = deploy('f', 'create', {
          at: 1_700_000_000_123, version: '$LATEST', codeSha256: 'abc=', codeSize: 1234, revisionId: 'rev-1',
          runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 256, timeout: 30,
        });
        await s.addDeploy(full);
        await s.addDeploy(deploy('f', 'delete', { at: 1_700_000_000_999 }));
        expect(await s.deploys('f', 10)).toEqual([deploy('f', 'delete', { at: 1_700_000_000_999 }), full]);
      });

      it('answers newest first (in the order written, whatever their times), `limit` at most, one function only', async () => {
        const s = await store();
        const at = Date.now();
        const kinds: Deploy['kind'][] = ['create', 'code', 'configuration', 'publish', 'delete'];
        for (const [i, kind] of kinds.entries()) {
          await s.addDeploy(deploy('f', kind, { at, version: String(i) }));
          await s.addDeploy(deploy('other', kind, { at }));
        }
        expect((await s.deploys('f', 10)).map((d) => d.kind)).toEqual([...kinds].reverse());
        expect((await s.deploys('f', 2)).map((d) => d.version)).toEqual(['4', '3']);
        expect(await s.deploys('nobody', 10)).toEqual([]);
      });

      it('keeps the newest deploys of each function within the cap (200 by default)', async () => {
        const s = await store({ maxDeploysPerFunction: 3 });
        for (let i = 0; i < 6; i++) await s.addDeploy(deploy('capped', 'code', { version: String(i) }));
        await s.addDeploy(deploy('small', 'create'));
        expect((await s.deploys('capped', 10)).map((d) => d.version)).toEqual(['5', '4', '3']);
        expect(await s.deploys('small', 10)).toHaveLength(1);
        const byDefault = await store();
        for (let i = 0; i < 205; i++) await byDefault.addDeploy(deploy('many', 'code', { version: String(i) }));
        const kept = await byDefault.deploys('many', 1_000);
        expect(kept).toHaveLength(200);
        expect(kept[0]!.version).toBe('204');
        expect(kept.at(-1)!.version).toBe('5');
      });

      it('keeps every one of many concurrent writes', async () => {
        const s = await store();
        await Promise.all(Array.from({ length: 50 }, (_, i) => s.addDeploy(deploy('busy', 'configuration', { version: String(i) }))));
        const versions = (await s.deploys('busy', 100)).map((d) => Number(d.version));
        expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      });

      it('keeps the history of a deleted function, and a new function of that name continues it', async () => {
        const s = await store();
        await s.addDeploy(deploy('f', 'create'));
        await s.addDeploy(deploy('f', 'delete'));
        await s.addDeploy(deploy('f', 'create', { version: 'again' }));
        expect((await s.deploys('f', 10)).map((d) => d.kind)).toEqual(['create', 'delete', 'create']);
      });
    });

    describe('recorded payloads', () => {
      it('answers a recorded event and response as written; an unknown request id answers undefined', async () => {
        const s = await store();
        const big = 'é'.repeat(32 * 1024);
        await s.addPayloads([
          { requestId: 'r1', at: Date.now(), payload: { event: big, response: '', truncated: true } },
          recorded('r2', '{"nested":{"a":[1,2,3]}}'),
        ]);
        expect(await s.payload('r1')).toEqual({ event: big, response: '', truncated: true });
        expect(await s.payload('r2')).toEqual({ event: '{"nested":{"a":[1,2,3]}}', response: '"ok"', truncated: false });
        expect(await s.payload('nope')).toBeUndefined();
      });

      it('keeps any text a function answers: NUL, emoji, invalid JSON', async () => {
        const s = await store();
        const odd = 'a\u0000b 🐑 {not json';
        await s.addPayloads([{ requestId: 'odd', at: Date.now(), payload: { event: '{}', response: odd, truncated: false } }]);
        expect((await s.payload('odd'))?.response).toBe(odd);
      });

      it('takes an empty batch, and a request id recorded again replaces the earlier recording', async () => {
        const s = await store();
        await s.addPayloads([]);
        await s.addPayloads([recorded('r', 'first')]);
        await s.addPayloads([recorded('r', 'second')]);
        expect((await s.payload('r'))?.event).toBe('second');
        await s.addPayloads([recorded('twice', 'one'), recorded('twice', 'two')]);
        expect((await s.payload('twice'))?.event).toBe('two');
      });

      it('keeps every recording of concurrent batches', async () => {
        const s = await store();
        await Promise.all(Array.from({ length: 20 }, (_, b) =>
          s.addPayloads(Array.from({ length: 25 }, (_, i) => recorded(`b${b}-${i}`)))));
        const all = await Promise.all(Array.from({ length: 500 }, (_, k) => s.payload(`b${Math.floor(k / 25)}-${k % 25}`)));
        expect(all.filter((p) => p === undefined)).toHaveLength(0);
      });

      it('forgets recordings older than the retention, at its own sweep', async () => {
        const s = await store({ keepPayloadsMs: 60_000, sweepIntervalMs: 25 });
        await s.addPayloads([recorded('old', '{}', Date.now() - 120_000), recorded('new')]);
        await waitFor('the old recording to be swept', async () => (await s.payload('old')) === undefined);
        expect(await s.payload('new')).toBeDefined();
      });

      it('keeps the newest recordings within the cap, at its own sweep', async () => {
        const s = await store({ maxPayloads: 3, sweepIntervalMs: 25 });
        for (let i = 0; i < 6; i++) await s.addPayloads([recorded(`r${i}`)]);
        await waitFor('the oldest recordings to be swept', async () => (await s.payload('r2')) === undefined);
        for (const id of ['r0', 'r1', 'r2']) expect(await s.payload(id)).toBeUndefined();
        for (const id of ['r3', 'r4', 'r5']) expect(await s.payload(id)).toBeDefined();
      });
    });

    describe('durability and close', () => {
      it('keeps deploys and recordings across a close and a reopen', async () => {
        const p = await place();
        let s = await openOn(p);
        await s.addDeploy(deploy('f', 'publish', { version: '1' }));
        await s.addPayloads([recorded('kept')]);
        s = await reopen(p, s);
        expect((await s.deploys('f', 10)).map((d) => d.version)).toEqual(['1']);
        expect((await s.payload('kept'))?.event).toBe('{"id":"kept"}');
      });

      it('refuses work once closed, instead of hanging', async () => {
        const p = await place();
        const s = await p.open();
        await s.close();
        await expect(s.addDeploy(deploy('f'))).rejects.toThrow();
        await expect(s.deploys('f', 1)).rejects.toThrow();
        await expect(s.payload('r')).rejects.toThrow();
      });
    });
  });
}
