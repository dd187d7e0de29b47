// logs/ owns what lambkin keeps of functions' output: the log store's interfaces (store.ts: a
// write side the environments queue into, a read side the APIs query) and their
// implementations (sqlite/: SQLite + FTS5, the embedded default; postgres/: PostgreSQL, for
// --database-url), the bounded write queue in front of a store, Lambda's platform lines,
// CloudWatch filter patterns, and the views every store answers with. Logs Insights' query
// language and runner are in insights/ (over LogReader only).
export {
  LogStoreError, type ErrorGroupPage, type ErrorGroupQuery, type EventCountPage, type EventCountQuery, type EventPage, type EventQuery, type GroupPage, type GroupQuery,
  type InvocationPage, type InvocationQuery, type LogReader, type LogStore, type LogStoreErrorCode, type LogWriter, type RecordPage,
  type RequestEventsPage, type StreamEventsPage, type StreamEventsQuery, type StreamPage, type StreamQuery, PROMPT_FLUSH_MS, type WrittenOptions,
} from './store.js';
export type { ErrorGroup, GroupView, InvocationView, ScannedRecord, Stats, StoredEvent, StreamOrder, StreamView } from './views.js';
export { SqliteLogStore, type LogStoreOptions } from './sqlite/store.js';
export { PostgresLogStore, type PostgresLogStoreOptions } from './postgres/store.js';
export type { PutEvent, PutOutcome } from './put-events.js';
export { MAX_SUBSCRIPTION_FILTERS, type PutSubscriptionResult, type SubscriptionFilter } from './subscriptions.js';
export { NULL_SINK, type InvocationRecord, type LogEvent, type LogLevel, type LogSink, type Outcome, type PlatformMark, type StreamInfo } from './types.js';
export { compilePattern, PatternError, type CompiledPattern, type WordQuery } from './filter-pattern.js';
export { MAX_RECORD_ERROR_MESSAGE, MAX_RECORD_ERROR_TYPE } from './record-limits.js';
export { DEFAULT_QUEUE_LIMITS, MAX_MESSAGE_CHARS, type Batch, type QueueLimits } from './write-queue.js';
