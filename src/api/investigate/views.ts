// The JSON the investigation API answers with (documented in README.md, "Logs and investigation API").
import type { InvocationView, StoredEvent } from '../../logs/index.js';
import type { InvocationRecordView, LogEventView, LogLevelName } from '../../wire.js';

export function eventJson(e: StoredEvent): LogEventView {
  return {
    eventId: e.eventId,
    timestamp: e.timestamp,
    time: new Date(e.timestamp).toISOString(),
    ingestionTime: e.ingestionTime,
    logStream: e.logStream,
    envId: e.envId,
    requestId: e.requestId,
    // The store keeps what the writers gave it, and they write only LogLevel values (logs/types.ts).
    level: e.level as LogLevelName | undefined,
    message: e.message,
  };
}

export function invocationJson(i: InvocationView): InvocationRecordView {
  return { ...i, startedAtIso: new Date(i.startedAt).toISOString() };
}
