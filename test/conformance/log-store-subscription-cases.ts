// Subscription filters kept with their group (PutSubscriptionFilter …) and the prompt onWritten
// listener (an open live tail: queued lines are written within PROMPT_FLUSH_MS): what every log store must do. A put adds or replaces by name, at
// most two per group; listing is by name, per group or of all groups; deletion of the group takes
// its filters; they survive a restart. A prompt listener sees a line well before the usual batching.
import { describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTION_FILTERS, type Batch } from '../../src/logs/index.js';
import { ev, fnGroup, type StoreHandle, type StoreOptions } from './log-store-fixtures.js';
import { waitFor } from '../helpers/functions.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:shipper';

export function subscriptionCases(open: (options?: StoreOptions) => Promise<StoreHandle>): void {
  describe('subscription filters', () => {
    it('adds, replaces by name, refuses a third, lists by name, survives a restart, goes with its group', async () => {
      const h = await open();
      let store = h.store;
      expect(MAX_SUBSCRIPTION_FILTERS).toBe(2);
      expect(await store.putSubscriptionFilter({ group: fnGroup('nope'), name: 'a', pattern: '', destinationArn: ARN })).toBe('GroupNotFound');
      expect(await store.subscriptionFilters(fnGroup('nope'))).toBeUndefined();
      store.append(ev('app', 's', 'hello', Date.now())); // the group exists once a line is queued
      expect(await store.putSubscriptionFilter({ group: fnGroup('app'), name: 'b', pattern: 'ERROR', destinationArn: ARN })).toBe('created');
      expect(await store.putSubscriptionFilter({ group: fnGroup('app'), name: 'a', pattern: '', destinationArn: ARN })).toBe('created');
      expect(await store.putSubscriptionFilter({ group: fnGroup('app'), name: 'b', pattern: 'WARN', destinationArn: `${ARN}:live` })).toBe('replaced');
      expect(await store.putSubscriptionFilter({ group: fnGroup('app'), name: 'c', pattern: '', destinationArn: ARN })).toBe('LimitExceeded');
      expect(await store.createGroup(fnGroup('other'))).toBe(true);
      expect(await store.putSubscriptionFilter({ group: fnGroup('other'), name: 'z', pattern: '', destinationArn: ARN })).toBe('created');
      store = await h.reopen();
      const listed = await store.subscriptionFilters(fnGroup('app'));
      expect(listed!.map((f) => [f.group, f.name, f.pattern, f.destinationArn])).toEqual([
        [fnGroup('app'), 'a', '', ARN], [fnGroup('app'), 'b', 'WARN', `${ARN}:live`],
      ]);
      expect(listed!.every((f) => f.createdAt > Date.now() - 60_000)).toBe(true);
      expect((await store.subscriptionFilters())!.map((f) => `${f.group}/${f.name}`)).toEqual([`${fnGroup('app')}/a`, `${fnGroup('app')}/b`, `${fnGroup('other')}/z`]);
      expect(await store.deleteSubscriptionFilter(fnGroup('app'), 'a')).toBe(true);
      expect(await store.deleteSubscriptionFilter(fnGroup('app'), 'a')).toBe(false);
      expect(await store.deleteSubscriptionFilter(fnGroup('nope'), 'a')).toBe(false);
      expect(await store.deleteGroup(fnGroup('other'))).toBe(true);
      expect(await store.createGroup(fnGroup('other'))).toBe(true);
      expect(await store.subscriptionFilters(fnGroup('other'))).toEqual([]);
      expect((await store.subscriptionFilters())!.map((f) => f.name)).toEqual(['b']);
    });

    // How soon is measured by npm run bench:logs (live tail), not asserted here: timers are late on a loaded machine.
    it('a prompt listener gets lines without a flush; unsubscribed, it gets none', async () => {
      const { store } = await open();
      const seen: { batch: Batch }[] = [];
      const stop = store.onWritten((batch) => seen.push({ batch }), { prompt: true });
      store.append(ev('live', 's', 'soon', Date.now()));
      await waitFor('the prompt batch', async () => seen.length > 0);
      expect(seen[0]!.batch.events.map((e) => e.message)).toEqual(['soon']);
      stop();
      stop(); // twice is harmless
      store.append(ev('live', 's', 'later', Date.now()));
      await store.flush();
      expect(seen).toHaveLength(1);
    });
  });
}
