// The explorer's free-text filter on PostgreSQL, from the log side: events matching a filter
// pattern walked newest first (through the full-text index's candidate blocks when the pattern
// lets it narrow, else event by event), each request met for the first time looked up and checked
// against the other filters. The walk stops as soon as the page is certain, so a common word costs
// about a page of invocations and a rare one a few index probes.
//
// "Certain" (as in sqlite/text-search.ts): a page is ordered by the invocations' start; a request
// logs at or after it starts (less SKEW_MS for a clock step), so once every matching event stamped
// after T has been met, no invocation not yet met started after T + SKEW_MS. Blocks come by their
// first id, newest first; a block spans at most BLOCK_SPAN ids (writer.ts), so once the blocks
// from id F up are read, every event from F + BLOCK_SPAN up has been met. The platform lines kept
// in invocation records (platform-events.ts) are met with the events around them.
import type { Postgres } from '../../database/index.js';
import type { CompiledPattern } from '../filter-pattern.js';
import { messageOf, type EventRow, type PgEventReader } from './events.js';
import { mergedAsync } from '../platform-events.js';
import type { Row } from './investigation.js';
import { BLOCK_SPAN } from './writer.js';
import { tsQuery } from './words.js';

export interface TextFilter {
  readonly pattern: CompiledPattern;
  /** Only this log group's events (-1: a group that does not exist); else every group's. */
  readonly groupId?: number;
}

export interface WalkQuery {
  readonly since?: number;
  readonly until?: number;
  /** Keep `limit` + 1 (the +1 says that more follow). */
  readonly limit: number;
  /** Of these requests, the records that pass the other filters. */
  readonly accept: (requestIds: string[]) => Promise<Row[]>;
  /** Past this performance.now(), answer what is certain — once below `progressBelow`, so that a next page moves on. */
  readonly deadline: number;
  readonly progressBelow?: number;
}

export interface WalkResult {
  /** Newest first; up to limit + 1. */
  readonly found: Row[];
  /** Set when the walk stopped at its deadline: the page continues with invocations started before this. */
  readonly resumeBefore?: number;
}

export const SKEW_MS = 1000;
const CHUNK_EVENTS = 512;
const CHUNK_BLOCKS = 64;

interface WalkRow { id: number; ts: number; request_id: string; message: string; message_bytes: Buffer | null }

export async function textWalk(db: Postgres, events: PgEventReader, filter: TextFilter, q: WalkQuery): Promise<WalkResult> {
  const newest = await events.newestId();
  const after = q.since === undefined ? 0 : (await events.firstIdAtOrAfter(q.since)) - 1;
  const before = Math.min(q.until === undefined ? Number.MAX_SAFE_INTEGER : await events.firstIdAtOrAfter(q.until), newest + 1);
  // Events of a deleted group stay until the sweep purges them: only live groups count.
  const live = (await db.query<{ id: number }>('SELECT id FROM log_groups WHERE ($1::bigint IS NULL OR id = $1)', [filter.groupId ?? null])).map((r) => r.id);
  if (after + 1 >= before || live.length === 0) return { found: [] };
  const ts = tsQuery(filter.pattern.words);
  const met = new Set<string>();
  const found: Row[] = [];
  let cursor = before;
  // Without words to look up: every event with a request, newest first, stored and kept.
  const walk = ts === undefined
    ? mergedAsync(storedDesc(db, live, after, before), events.platform.range({ after, before, group: live, newestFirst: true }), true)
    : undefined;
  try {
    for (;;) {
      let rows: WalkRow[];
      let settled: number; // every matching event from this id up has been met
      if (walk !== undefined) {
        rows = [];
        for (let r = await walk.next(); !r.done; r = await walk.next()) {
          if (r.value.request_id !== null) rows.push(r.value as WalkRow);
          if (rows.length >= CHUNK_EVENTS) break;
        }
        if (rows.length === 0) return all(found, q.limit);
        settled = rows[rows.length - 1]!.id;
      } else {
        const blocks = await db.query<{ first_id: number; last_id: number; group_id: number }>(
          `SELECT first_id, last_id, group_id FROM log_blocks WHERE group_id = ANY($1::bigint[]) AND first_id < $2 AND last_id > $3
             AND (words @@ $4::tsquery OR words IS NULL) ORDER BY first_id DESC LIMIT ${CHUNK_BLOCKS}`, [live, cursor, after, ts]);
        if (blocks.length === 0) return all(found, q.limit);
        const [stored, kept] = await Promise.all([
          db.query<WalkRow>(
            // A range scan per block (events.ts says why LATERAL and OFFSET 0).
            `SELECT e.* FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS b(f, l, g)
               CROSS JOIN LATERAL (SELECT id, ts, request_id, message, message_bytes FROM log_events
                 WHERE group_id = b.g AND id BETWEEN b.f AND b.l AND id > $4 AND id < $5 AND request_id IS NOT NULL OFFSET 0) e`,
            [blocks.map((b) => b.first_id), blocks.map((b) => b.last_id), blocks.map((b) => b.group_id), after, before]),
          events.platform.inBlocks(blocks, after, before),
        ]);
        rows = [...stored, ...(kept as WalkRow[])];
        cursor = blocks[blocks.length - 1]!.first_id;
        settled = cursor + BLOCK_SPAN;
      }
      const fresh: string[] = [];
      for (const r of rows) {
        if (met.has(r.request_id) || !filter.pattern.test(messageOf(r))) continue;
        met.add(r.request_id);
        fresh.push(r.request_id);
      }
      if (fresh.length > 0) found.push(...(await q.accept(fresh)));
      const done = check(found, await events.tsAtOrAfter(settled), q);
      if (done) return done;
    }
  } finally {
    await walk?.return();
  }
}

/** Every stored event with a request of some groups within (after, before), newest first, a chunk at a time. */
async function* storedDesc(db: Postgres, groups: readonly number[], after: number, before: number): AsyncGenerator<EventRow, void, undefined> {
  let cursor = before;
  for (;;) {
    const rows = await db.query<EventRow>(
      `SELECT id, ts, request_id, message, message_bytes FROM log_events WHERE group_id = ANY($1::bigint[]) AND id > $2 AND id < $3
         AND request_id IS NOT NULL ORDER BY id DESC LIMIT ${CHUNK_EVENTS}`, [groups, after, cursor]);
    yield* rows;
    if (rows.length < CHUNK_EVENTS) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

/** The result when the page is certain or the deadline is past (every matching event stamped after `ts` met). */
function check(found: Row[], ts: number, q: WalkQuery): WalkResult | undefined {
  if (found.length > q.limit) {
    sort(found);
    if (ts < found[q.limit]!.started_at - SKEW_MS) return all(found, q.limit);
  }
  if (performance.now() > q.deadline && (q.progressBelow === undefined || ts + SKEW_MS + 1 < q.progressBelow)) {
    const cut = ts + SKEW_MS;
    const certain = sort(found).filter((c) => c.started_at > cut);
    if (certain.length > q.limit) return { found: certain.slice(0, q.limit + 1) };
    return { found: certain, resumeBefore: cut + 1 };
  }
  return undefined;
}

function all(found: Row[], limit: number): WalkResult {
  return { found: sort(found).slice(0, limit + 1) };
}

/** Newest first, as the explorer lists: by start, then by sequence. */
function sort(found: Row[]): Row[] {
  return found.sort((a, b) => b.started_at - a.started_at || b.seq - a.seq);
}
