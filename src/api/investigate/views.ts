// The JSON the investigation API answers with (documented in README.md, "Logs and investigation API").
import type { InvocationView, StoredEvent } from '../../logs/index.js';

export function eventJson(e: StoredEvent): object {
  return {
    eventId: e.eventId,
    timestamp: e.timestamp,
    time: new Date(e.timestamp).toISOString(),
    ingestionTime: e.ingestionTime,
    logStream: e.logStream,
    envId: e.envId,
    requestId: e.requestId,
    level: e.level,
    message: e.message,
  };
}

export function invocationJson(i: InvocationView): object {
  return { ...i, startedAtIso: new Date(i.startedAt).toISOString() };
}
