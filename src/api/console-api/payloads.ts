// GET /lambkin/v1/invocations/{requestId}/payload — the event and the response of one invocation,
// when its function records them (LambkinRecordPayloads: true; off by default). Each is cut to
// 64 KiB (`truncated` says so). Recorded from the records the log store writes (its onWritten hook).
import { apiError } from '../../errors.js';
import type { Batch } from '../../logs/index.js';
import type { PayloadView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import type { ConsoleStore } from './store.js';

export function storePayloads(store: ConsoleStore, log: (line: string) => void): (batch: Batch) => void {
  return (batch) => {
    const items = batch.records.filter((r) => r.recorded).map((r) => ({ requestId: r.requestId, at: r.startedAt, payload: r.recorded! }));
    if (items.length === 0) return;
    store.addPayloads(items).catch((err: unknown) => {
      log(`lambkin: console: could not store ${items.length} recorded payloads: ${(err as Error)?.message ?? String(err)}`);
    });
  };
}

export function getPayload(store: ConsoleStore): Operation {
  return async (req) => {
    const requestId = req.params.requestId ?? '';
    const payload = await store.payload(requestId);
    if (!payload) {
      throw apiError('ResourceNotFoundException',
        `No event is recorded for ${requestId}: recording is off unless the function has LambkinRecordPayloads: true (lambkin deploy --record-payloads).`);
    }
    return json(200, { requestId, ...payload } satisfies PayloadView);
  };
}
