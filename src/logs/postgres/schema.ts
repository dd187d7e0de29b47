// The log store's PostgreSQL schema (lambkin_migrations, store 'logs'), for the one migration
// runner (database/migrate.ts). What shapes it:
// (1) One sequence of event ids for the whole store, handed out by the writer under a
//     transaction-scoped advisory lock (writer.ts), with timestamps clamped so that they never
//     decrease along ids (log_clock keeps the next id and the last time). A batch commits before
//     the next one takes ids, so every reader sees a prefix of the ids: a position ("after id N")
//     never skips an event committed later, on one node or several. A time range is an id range
//     (log_first_id_at bisects the primary key: no index on time to keep up on every insert).
// (2) Full text: one row per block of up to 64 consecutive events of a group (log_blocks), its
//     words — the filter patterns' own tokens (../filter-terms.ts), lower-cased, each once — as a
//     tsvector (array_to_tsvector: PostgreSQL's parser is not used, so that a word is what a
//     filter pattern means by one) under a GIN index. Built in: no extension to install. The index
//     only finds candidate blocks; each event in them is checked exactly (filter-pattern.ts).
// (3) TEXT cannot hold NUL: a message with NUL characters is kept exactly in message_bytes (UTF-8),
//     and without them in message (what the index and SQL see).
// (4) An invocation's START, END and REPORT lines are mostly not rows: written in the same batch as
//     its record, they are kept in the record (their event ids, times and REPORT's text) and merged
//     into every read by id (../platform-events.ts, platform-events.ts), as in the SQLite store; the
//     ids stay in the one sequence, so (1) holds for them too. Four rows and their index entries
//     per invocation of a function that prints one line become two.
// Names sort in byte order (COLLATE "C"), as SQLite sorts them, so listings page the same on both.
import type { Migrations } from '../../database/index.js';

export const LOG_STORE_MIGRATIONS: Migrations = {
  store: 'logs',
  steps: [
    `CREATE TABLE log_clock (
       one     BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
       next_id BIGINT NOT NULL,
       last_ts BIGINT NOT NULL
     );
     INSERT INTO log_clock (next_id, last_ts) VALUES (1, 0);
     CREATE TABLE log_groups (
       id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused: a deleted group's rows are purged by id
       name           TEXT COLLATE "C" NOT NULL UNIQUE,
       created_at     BIGINT NOT NULL,
       retention_days INTEGER,
       stored_bytes   BIGINT NOT NULL DEFAULT 0
     );
     CREATE TABLE log_streams (
       id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       group_id       BIGINT NOT NULL,
       name           TEXT COLLATE "C" NOT NULL,
       env_id         TEXT,
       function_name  TEXT,
       version        TEXT,
       created_at     BIGINT NOT NULL,
       first_event    BIGINT,
       last_event     BIGINT,
       last_ingestion BIGINT,
       stored_bytes   BIGINT NOT NULL DEFAULT 0,
       UNIQUE (group_id, name)
     );
     CREATE INDEX log_streams_last_event ON log_streams (group_id, (coalesce(last_event, 0)), id);
     -- Groups deleted whose events the sweep has not purged yet.
     CREATE TABLE log_deleted_groups (id BIGINT PRIMARY KEY);
     CREATE TABLE log_events (
       id            BIGINT PRIMARY KEY,  -- ingestion order, which is time order
       group_id      BIGINT NOT NULL,
       stream_id     BIGINT NOT NULL,
       ts            BIGINT NOT NULL,
       ingested      BIGINT NOT NULL,
       request_id    TEXT,
       level         TEXT,
       message       TEXT NOT NULL,
       message_bytes BYTEA                -- the message exactly, when it holds NUL characters
     );
     CREATE INDEX log_events_group ON log_events (group_id, id);
     CREATE INDEX log_events_stream ON log_events (stream_id, id);
     CREATE INDEX log_events_request ON log_events (request_id, id) WHERE request_id IS NOT NULL;
     -- A block: events first_id..last_id of one group (other groups' events may lie in between,
     -- never more than writer.ts's BLOCK_SPAN ids). words NULL: too many to index; always a candidate.
     CREATE TABLE log_blocks (
       first_id BIGINT PRIMARY KEY,
       last_id  BIGINT NOT NULL,
       group_id BIGINT NOT NULL,
       words    TSVECTOR
     );
     CREATE INDEX log_blocks_group ON log_blocks (group_id, first_id);
     CREATE INDEX log_blocks_words ON log_blocks USING gin (words);
     CREATE INDEX log_blocks_unindexed ON log_blocks (group_id, first_id) WHERE words IS NULL;
     CREATE TABLE log_invocations (
       seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- order of first writing
       request_id    TEXT NOT NULL UNIQUE,
       function_name TEXT NOT NULL,
       version       TEXT NOT NULL,
       env_id        TEXT,
       stream        TEXT,
       started_at    BIGINT NOT NULL,
       cold          BOOLEAN NOT NULL,
       init_ms       DOUBLE PRECISION,
       duration_ms   DOUBLE PRECISION NOT NULL,
       billed_ms     BIGINT NOT NULL,
       memory_mb     INTEGER NOT NULL,
       max_memory_mb INTEGER,
       outcome       TEXT NOT NULL,
       error_type    TEXT,
       error_message TEXT,
       error_key     TEXT                  -- error_message with numbers, ids and hex normalised
     );
     CREATE INDEX log_invocations_time ON log_invocations (started_at, seq);
     CREATE INDEX log_invocations_function ON log_invocations (function_name, started_at, seq);
     CREATE INDEX log_invocations_outcome ON log_invocations (function_name, outcome, started_at, seq);
     -- The Errors page reads failures only: a function's own index would read all its successes too.
     CREATE INDEX log_invocations_failures ON log_invocations (started_at, function_name, error_type, error_key)
       WHERE outcome <> 'success';
     -- The first event id stamped at or after t (ids and times rise together: bisect the primary
     -- key, ~20 probes); the next id to be given when there is none.
     CREATE FUNCTION log_first_id_at(t BIGINT) RETURNS BIGINT LANGUAGE plpgsql STABLE AS $$
     DECLARE
       lo BIGINT; hi BIGINT; mid BIGINT; at_id BIGINT; at_ts BIGINT;
     BEGIN
       SELECT min(id), max(id) INTO lo, hi FROM log_events;
       IF lo IS NULL THEN RETURN (SELECT next_id FROM log_clock); END IF;
       hi := hi + 1;
       WHILE lo < hi LOOP
         mid := lo + (hi - lo) / 2;
         SELECT id, ts INTO at_id, at_ts FROM log_events WHERE id >= mid ORDER BY id LIMIT 1;
         IF NOT FOUND OR at_ts >= t THEN hi := mid; ELSE lo := at_id + 1; END IF;
       END LOOP;
       SELECT id INTO at_id FROM log_events WHERE id >= lo ORDER BY id LIMIT 1;
       IF NOT FOUND THEN RETURN (SELECT next_id FROM log_clock); END IF;
       RETURN at_id;
     END $$;`,
    // Tags of log groups (CreateLogGroup's tags, TagResource): deleted with their group.
    `CREATE TABLE log_group_tags (
       group_id BIGINT NOT NULL,
       key      TEXT COLLATE "C" NOT NULL,
       value    TEXT NOT NULL,
       PRIMARY KEY (group_id, key)
     );`,
    // Subscription filters (PutSubscriptionFilter): at most 2 per group, deleted with their group.
    `CREATE TABLE log_subscription_filters (
       group_id    BIGINT NOT NULL,
       name        TEXT COLLATE "C" NOT NULL,
       pattern     TEXT NOT NULL,
       destination TEXT NOT NULL,
       created_at  BIGINT NOT NULL,
       PRIMARY KEY (group_id, name)
     );`,
    // (4): kept lines in the record; a group's own index of them; each stream's first and last
    // event ids, so that a stream's read finds its kept lines without walking its whole group's.
    // The first id at a time now bisects the kept STARTs too, and looks at the ENDs and REPORTs
    // that may lie just before the answer (a START's lines lie within PLATFORM_SPAN = 512 of it).
    `ALTER TABLE log_invocations ADD COLUMN group_id BIGINT, ADD COLUMN stream_id BIGINT, ADD COLUMN logged_at BIGINT,
       ADD COLUMN start_event BIGINT, ADD COLUMN start_ts BIGINT, ADD COLUMN end_event BIGINT, ADD COLUMN end_ts BIGINT,
       ADD COLUMN report_event BIGINT, ADD COLUMN report_ts BIGINT, ADD COLUMN report TEXT;
     CREATE INDEX log_invocations_events ON log_invocations (start_event) WHERE start_event IS NOT NULL;
     CREATE INDEX log_invocations_group_events ON log_invocations (group_id, start_event) WHERE start_event IS NOT NULL;
     ALTER TABLE log_streams ADD COLUMN first_id BIGINT, ADD COLUMN last_id BIGINT;
     CREATE OR REPLACE FUNCTION log_first_id_at(t BIGINT) RETURNS BIGINT LANGUAGE plpgsql STABLE AS $$
     DECLARE
       lo BIGINT; hi BIGINT; mid BIGINT; at_id BIGINT; at_ts BIGINT; answer BIGINT; settled BIGINT; late BIGINT;
     BEGIN
       answer := (SELECT next_id FROM log_clock);
       SELECT min(id), max(id) INTO lo, hi FROM log_events;
       IF lo IS NOT NULL THEN
         hi := hi + 1;
         WHILE lo < hi LOOP
           mid := lo + (hi - lo) / 2;
           SELECT id, ts INTO at_id, at_ts FROM log_events WHERE id >= mid ORDER BY id LIMIT 1;
           IF NOT FOUND OR at_ts >= t THEN hi := mid; ELSE lo := at_id + 1; END IF;
         END LOOP;
         SELECT id INTO at_id FROM log_events WHERE id >= lo ORDER BY id LIMIT 1;
         IF FOUND THEN answer := least(answer, at_id); END IF;
       END IF;
       SELECT min(start_event), max(start_event) INTO lo, hi FROM log_invocations WHERE start_event IS NOT NULL;
       IF lo IS NOT NULL THEN
         hi := hi + 1;
         WHILE lo < hi LOOP
           mid := lo + (hi - lo) / 2;
           SELECT start_event, start_ts INTO at_id, at_ts FROM log_invocations WHERE start_event >= mid ORDER BY start_event LIMIT 1;
           IF NOT FOUND OR at_ts >= t THEN hi := mid; ELSE lo := at_id + 1; END IF;
         END LOOP;
         SELECT start_event INTO at_id FROM log_invocations WHERE start_event >= lo ORDER BY start_event LIMIT 1;
         IF FOUND THEN answer := least(answer, at_id); END IF;
         -- Every event up to the last stored event and the last START before the answer is older
         -- than t; a kept END or REPORT after both may not be.
         settled := greatest((SELECT max(id) FROM log_events WHERE id < answer),
                             (SELECT max(start_event) FROM log_invocations WHERE start_event < answer), 0);
         SELECT min(x.id) INTO late FROM log_invocations i
           CROSS JOIN LATERAL (VALUES (i.end_event, i.end_ts), (i.report_event, i.report_ts)) AS x(id, ts)
           WHERE i.start_event > settled - 512 AND i.start_event < answer AND x.id > settled AND x.id < answer AND x.ts >= t;
         IF late IS NOT NULL THEN answer := late; END IF;
       END IF;
       RETURN answer;
     END $$;`,
    // Streams written by clients (CreateLogStream, PutLogEvents; put-events.ts): their events keep
    // the client's timestamps, so they stay out of log_events (fact (1) above) and are read by time.
    `CREATE TABLE log_put_streams (
       stream_id BIGINT PRIMARY KEY,  -- log_streams.id
       group_id  BIGINT NOT NULL
     );
     CREATE INDEX log_put_streams_group ON log_put_streams (group_id);
     CREATE TABLE log_put_events (
       seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       group_id  BIGINT NOT NULL,
       stream_id BIGINT NOT NULL,
       ts        BIGINT NOT NULL,
       ingested  BIGINT NOT NULL,
       message   TEXT NOT NULL,
       message_bytes BYTEA,           -- the message's UTF-8 when it holds NUL (message then has none)
       bytes     INTEGER NOT NULL
     );
     CREATE INDEX log_put_events_group ON log_put_events (group_id, ts, seq);
     CREATE INDEX log_put_events_stream ON log_put_events (stream_id, ts, seq);`,
  ],
};
