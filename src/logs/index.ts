// logs/ owns what lambkin keeps of functions' output: the log store (SQLite + FTS5, store.ts),
// the bounded write queue in front of it, Lambda's platform lines, CloudWatch filter patterns,
// retention, and the investigation queries over invocation records.
export { LogStore, type LogStoreOptions } from './sqlite/store.js';
export { NULL_SINK, type InvocationRecord, type LogEvent, type LogLevel, type LogSink, type Outcome, type StreamInfo } from './types.js';
export { compilePattern, PatternError, type CompiledPattern } from './filter-pattern.js';
export { ftsTerm } from './filter-terms.js';
export type { GroupView, StreamCursor, StreamOrder, StreamView } from './sqlite/groups.js';
export type { ScanQuery, ScanResult, StoredEvent } from './sqlite/event-reader.js';
export type { ErrorGroup, ErrorGroupCursor, ErrorGroupPage, ErrorGroupQuery, InvocationCursor, InvocationQuery, InvocationView, Stats } from './sqlite/investigation.js';
export { MAX_RECORD_ERROR_MESSAGE, MAX_RECORD_ERROR_TYPE } from './record-limits.js';
export { DEFAULT_QUEUE_LIMITS, MAX_MESSAGE_CHARS, type Batch, type QueueLimits } from './write-queue.js';
