// The log store's SQLite database (<dataDir>/logs.db): schema, migrations, connection settings.
//
// Two facts shape it. (1) Event ids are assigned in ingestion order and timestamps are kept
// non-decreasing in that order (writer.ts clamps them), so a time range *is* an id range and
// "ordered by time" is "ordered by id": one (group_id, id) index serves every group-wide read,
// and the FTS index, which yields rowids in order, can be paged with a plain id cursor.
// (2) Writes must be cheap (they run on the server's event loop): request ids are stored as a
// small integer (requests.id) so the per-event index grows at its end instead of at random
// places; and the full-text index has one row per *block* of up to 64 consecutive events of a
// group (rowid = the block's first event id), not one per event: FTS5's cost is mostly per row
// and per distinct term in it (START/END/REPORT lines repeat most of theirs), so this makes
// indexing several times cheaper, and the index keeps no positions (detail=none). The index only
// finds candidate blocks; each event in them is checked exactly in JS (filter-pattern.ts).
// Blocks of 16 cost ~20 % more per invocation than 64 on a store of 1,000,000 events (the FTS
// index was ~a third of the writer's work there).
// (3) An invocation's START, END and REPORT lines are mostly not rows: written in the same batch as
// its record, they are kept in the record (their event ids, times and REPORT's text) and merged
// into every read by id (platform-events.ts); the ids stay in the one sequence, so (1) holds for
// them too. For a function that prints one line that is one row per invocation instead of four.
// synchronous=NORMAL: logs may lose the last moment before a power cut; never their consistency.
import type Database from 'better-sqlite3';
import { openSqlite, type Migrations } from '../../database/index.js';

// PRAGMA user_version counts the steps applied (src/database/migrate.ts, as it always has here):
// never edit a step that has shipped, add one.
const STEPS: readonly string[] = [
  `CREATE TABLE log_groups (
     id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a deleted group's rows are purged by id
     name           TEXT NOT NULL UNIQUE,
     created_at     INTEGER NOT NULL,
     retention_days INTEGER,
     stored_bytes   INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE log_streams (
     id             INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id       INTEGER NOT NULL,
     name           TEXT NOT NULL,
     env_id         TEXT,
     function_name  TEXT,
     version        TEXT,
     created_at     INTEGER NOT NULL,
     first_event    INTEGER,
     last_event     INTEGER,
     last_ingestion INTEGER,
     stored_bytes   INTEGER NOT NULL DEFAULT 0,
     UNIQUE (group_id, name)
   );
   CREATE INDEX log_streams_last_event ON log_streams (group_id, last_event);
   -- Groups deleted (DeleteLogGroup) whose events the sweep has not purged yet.
   CREATE TABLE deleted_groups (id INTEGER PRIMARY KEY);
   CREATE TABLE requests (
     id         INTEGER PRIMARY KEY,
     request_id TEXT NOT NULL UNIQUE
   );
   CREATE TABLE log_events (
     id        INTEGER PRIMARY KEY,  -- the event id: ingestion order, which is time order
     group_id  INTEGER NOT NULL,
     stream_id INTEGER NOT NULL,
     ts        INTEGER NOT NULL,
     ingested  INTEGER NOT NULL,
     request   INTEGER,              -- requests.id
     level     TEXT,
     message   TEXT NOT NULL
   );
   CREATE INDEX log_events_group ON log_events (group_id);
   CREATE INDEX log_events_stream ON log_events (stream_id);
   CREATE INDEX log_events_request ON log_events (request) WHERE request IS NOT NULL;
   -- A block: events first_id..last_id of one group (other groups' events may lie in between).
   CREATE TABLE log_blocks (
     first_id INTEGER PRIMARY KEY,
     group_id INTEGER NOT NULL,
     last_id  INTEGER NOT NULL
   );
   CREATE INDEX log_blocks_group ON log_blocks (group_id);
   CREATE VIRTUAL TABLE log_fts USING fts5 (
     messages, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 2'
   );
   CREATE TABLE invocations (
     id            INTEGER PRIMARY KEY,  -- requests.id
     function_name TEXT NOT NULL,
     version       TEXT NOT NULL,
     env_id        TEXT,
     stream        TEXT,
     started_at    INTEGER NOT NULL,
     cold          INTEGER NOT NULL,
     init_ms       REAL,
     duration_ms   REAL NOT NULL,
     billed_ms     INTEGER NOT NULL,
     memory_mb     INTEGER NOT NULL,
     max_memory_mb INTEGER,
     outcome       TEXT NOT NULL,
     error_type    TEXT,
     error_message TEXT,
     error_key     TEXT                  -- error_message with numbers, ids and hex normalised
   );
   CREATE INDEX invocations_time ON invocations (started_at, id);
   CREATE INDEX invocations_function ON invocations (function_name, started_at, id);
   CREATE INDEX invocations_outcome ON invocations (function_name, outcome, started_at, id);
   CREATE INDEX invocations_failures ON invocations (outcome, started_at, id) WHERE outcome <> 'success';`,
  // The Errors page groups a time range's failures by function, type and message shape: from this
  // index alone (failures only, so it costs nothing on a success), not from a pass over every record.
  `CREATE INDEX invocations_error_groups ON invocations (started_at, function_name, error_type, error_key)
     WHERE outcome <> 'success';`,
  // An invocation's START, END and REPORT lines, when written in the same batch as its record, are
  // kept in the record instead of as three event rows (platform-events.ts): they hold event ids
  // (and times) in the sequence like stored events, and readers merge them in. Three rows fewer per
  // invocation was most of what logging cost a short function.
  `ALTER TABLE invocations ADD COLUMN group_id INTEGER;
   ALTER TABLE invocations ADD COLUMN stream_id INTEGER;
   ALTER TABLE invocations ADD COLUMN logged_at INTEGER;
   ALTER TABLE invocations ADD COLUMN start_event INTEGER;
   ALTER TABLE invocations ADD COLUMN start_ts INTEGER;
   ALTER TABLE invocations ADD COLUMN end_event INTEGER;
   ALTER TABLE invocations ADD COLUMN end_ts INTEGER;
   ALTER TABLE invocations ADD COLUMN report_event INTEGER;
   ALTER TABLE invocations ADD COLUMN report_ts INTEGER;
   ALTER TABLE invocations ADD COLUMN report TEXT;
   CREATE INDEX invocations_events ON invocations (start_event) WHERE start_event IS NOT NULL;`,
  // Reads of one group, or one stream, find its kept lines without walking every other group's:
  // a group's own index of them, and each stream's first and last event ids as bounds.
  `CREATE INDEX invocations_group_events ON invocations (group_id, start_event) WHERE start_event IS NOT NULL;
   ALTER TABLE log_streams ADD COLUMN first_id INTEGER;
   ALTER TABLE log_streams ADD COLUMN last_id INTEGER;`,
  // Tags of log groups (CreateLogGroup's tags, TagResource): deleted with their group.
  `CREATE TABLE log_group_tags (
     group_id INTEGER NOT NULL,
     key      TEXT NOT NULL,
     value    TEXT NOT NULL,
     PRIMARY KEY (group_id, key)
   ) WITHOUT ROWID;`,
  // Subscription filters (PutSubscriptionFilter): at most 2 per group, deleted with their group.
  `CREATE TABLE log_subscription_filters (
     group_id    INTEGER NOT NULL,
     name        TEXT NOT NULL,
     pattern     TEXT NOT NULL,
     destination TEXT NOT NULL,
     created_at  INTEGER NOT NULL,
     PRIMARY KEY (group_id, name)
   ) WITHOUT ROWID;`,
  // Text inside words (infix-index.ts): a trigram index of each block's events, filled while the
  // store is idle; upto: every block with a first id up to it is in it.
  `CREATE VIRTUAL TABLE log_infix USING fts5 (
     messages, content='', contentless_delete=1, detail=none, tokenize='trigram'
   );
   CREATE TABLE log_infix_state (upto INTEGER NOT NULL);
   INSERT INTO log_infix_state VALUES (0);`,
  // Streams written by clients (CreateLogStream, PutLogEvents; put-events.ts): their events keep
  // the client's timestamps, so they stay out of log_events (fact (1) above) and are read by time.
  `CREATE TABLE log_put_streams (
     stream_id INTEGER PRIMARY KEY,  -- log_streams.id
     group_id  INTEGER NOT NULL
   );
   CREATE INDEX log_put_streams_group ON log_put_streams (group_id);
   CREATE TABLE log_put_events (
     seq       INTEGER PRIMARY KEY,
     group_id  INTEGER NOT NULL,
     stream_id INTEGER NOT NULL,
     ts        INTEGER NOT NULL,
     ingested  INTEGER NOT NULL,
     message   TEXT NOT NULL,
     bytes     INTEGER NOT NULL
   );
   CREATE INDEX log_put_events_group ON log_put_events (group_id, ts, seq);
   CREATE INDEX log_put_events_stream ON log_put_events (stream_id, ts, seq);`,
];

export type LogDatabase = Database.Database;

const MIGRATIONS: Migrations = { store: 'logs', steps: STEPS };

export function openLogDatabase(path: string): LogDatabase {
  // 16 MB of page cache: reads of recent events stay in memory.
  return openSqlite(path, MIGRATIONS, { synchronous: 'NORMAL', pragmas: ['cache_size = -16384'] });
}
