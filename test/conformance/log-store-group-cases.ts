// Groups made and tagged through the API (CreateLogGroup, TagResource …): a created group is empty
// and listed; creating it again says so; its tags are set, replaced and removed at once; events
// written later land in it; deleting it takes its tags along (a group made again starts bare).
import { describe, expect, it } from 'vitest';
import { ev, fnGroup, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';

export function groupCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('created and tagged groups', () => {
    it('creates an empty group once, with its tags; events written to it later are its own', async () => {
      const { store } = await open();
      expect(await store.createGroup(fnGroup('made'), { team: 'shop', 'cost-center': '42' })).toBe(true);
      expect(await store.createGroup(fnGroup('made'))).toBe(false);
      expect(await store.describeGroup(fnGroup('made'))).toMatchObject({ name: fnGroup('made'), storedBytes: 0, retentionDays: undefined });
      expect((await store.describeStreams(fnGroup('made'), { orderBy: 'LogStreamName', descending: false, limit: 50 })).streams).toEqual([]);
      expect(await store.groupTags(fnGroup('made'))).toEqual({ 'cost-center': '42', team: 'shop' });
      store.append(ev('made', 'a', 'hello', Date.now()));
      expect((await store.filterEvents({ group: fnGroup('made'), limit: 10 })).events.map((e) => e.message)).toEqual(['hello']);
      expect((await store.describeGroups({ limit: 50 })).groups.map((g) => g.name)).toEqual([fnGroup('made')]);
    });

    it('tags are added, replaced and removed; a group that does not exist has none; deletion takes them', async () => {
      const { store } = await open();
      expect(await store.groupTags(fnGroup('nope'))).toBeUndefined();
      expect(await store.tagGroup(fnGroup('nope'), { a: '1' })).toBe(false);
      store.append(ev('fn', 'a', 'made by a function', Date.now()));
      expect(await store.groupTags(fnGroup('fn'))).toEqual({});
      expect(await store.tagGroup(fnGroup('fn'), { a: '1', b: '2' })).toBe(true);
      expect(await store.tagGroup(fnGroup('fn'), { b: 'two', c: '' }, ['a', 'missing'])).toBe(true);
      expect(await store.groupTags(fnGroup('fn'))).toEqual({ b: 'two', c: '' });
      expect(await store.deleteGroup(fnGroup('fn'))).toBe(true);
      expect(await store.groupTags(fnGroup('fn'))).toBeUndefined();
      expect(await store.createGroup(fnGroup('fn'))).toBe(true);
      expect(await store.groupTags(fnGroup('fn'))).toEqual({});
      expect((await store.filterEvents({ group: fnGroup('fn'), limit: 10 })).events).toEqual([]);
    });
  });
}
