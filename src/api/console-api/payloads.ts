// Recorded events and responses (LambkinRecordPayloads: true; off by default), each cut to 64 KiB
// (`truncated` says so): their own path from the invocation record to the console's store, and
// GET /lambkin/v1/invocations/{requestId}/payload to read one back. The log store never sees them:
// they are taken off the record at the sink the scheduler writes to, before its write queue.
import { apiError } from '../../errors.js';
import type { InvocationRecord, LogSink } from '../../logs/index.js';
import type { PayloadView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import type { ConsoleStore, RecordedItem } from './store.js';

export interface PayloadPath {
  /** What the scheduler writes to: `logs`, with the recorded payloads taken off each invocation record. */
  readonly sink: LogSink;
  /** Store what is gathered; resolves when it is written (before the console's store closes). */
  flush(): Promise<void>;
}

/**
 * The payloads of the invocations that end within one turn of the event loop are stored together
 * (all or none, as the store writes a batch), so that a burst costs one write, not one per invocation.
 */
export function payloadPath(logs: LogSink, store: ConsoleStore, log: (line: string) => void): PayloadPath {
  let gathered: RecordedItem[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;
  const flush = (): Promise<void> => {
    scheduled = false;
    const items = gathered;
    gathered = [];
    if (items.length > 0) {
      writing = writing.then(() => store.addPayloads(items)).catch((err: unknown) => {
        log(`lambkin: console: could not store ${items.length} recorded payloads: ${(err as Error)?.message ?? String(err)}`);
      });
    }
    return writing;
  };
  return {
    sink: {
      streamCreated: (info) => logs.streamCreated(info),
      append: (event) => logs.append(event),
      invocation: (record: InvocationRecord) => {
        const { recorded, ...rest } = record;
        if (recorded) {
          gathered.push({ requestId: record.requestId, at: record.startedAt, payload: recorded });
          if (!scheduled) {
            scheduled = true;
            setImmediate(() => void flush());
          }
        }
        logs.invocation(recorded ? rest : record);
      },
    },
    flush,
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
