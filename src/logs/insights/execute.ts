// Running a query over a log store through its reader interface only (../store.ts): each group's
// events in the time range are read a page at a time (filterEvents, with the query's leading
// filters as a pattern the store can narrow by), pushed through the stages, and dropped — memory
// holds one page, the stages' bounded state and the results. Between pages the query gives the
// event loop back, and looks at its deadline and whether it was stopped.
import type { LogReader } from '../store.js';
import type { Query } from './ast.js';
import { MAX_RESULT_ROWS } from './parser.js';
import { plan, type Plan } from './plan.js';
import { EventRow, MapRow, type Row } from './row.js';
import { MAX_GROUPS, MAX_HELD_CHARS, tooMuchHeld, type Stage } from './stages.js';
import { QueryFailure } from './errors.js';
import { Time, toText } from './values.js';

export interface ResultField {
  readonly field: string;
  readonly value: string;
}

export interface QueryStatistics {
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface RunSpec {
  readonly groups: readonly string[];
  readonly startTime: number; // ms, inclusive
  readonly endTime: number; // ms, exclusive
  readonly query: Query;
  /** The most rows to give (StartQuery's limit; at most MAX_RESULT_ROWS). */
  readonly limit: number;
  /** The account id that @log puts before the group name. */
  readonly account: string;
}

export interface RunControl {
  readonly stats: QueryStatistics;
  /** Thrown out of the scan (between pages) when the query is to stop: cancelled, or out of time. */
  readonly check: () => void;
  /**
   * Told, once the query is planned, how to get the rows found so far (GetQueryResults while it
   * is Running): those that reached the results, or — for stats and sort, which hold rows to the
   * end — what they would give if the events read so far were all. Call it between pages only
   * (any time the query is awaiting), never from inside the scan.
   */
  readonly onPartial?: (rows: () => ResultField[][]) => void;
}

/** Events per page read from the store. */
const PAGE = 5_000;

export async function runQuery(reader: LogReader, spec: RunSpec, control: RunControl): Promise<ResultField[][]> {
  const cap = Math.min(spec.limit, MAX_RESULT_ROWS);
  let columns: readonly string[] = [];
  /** A sink collecting result rows into `results`, up to the cap and MAX_HELD_CHARS. */
  const collector = (results: ResultField[][]): Stage => {
    let held = 0;
    return {
      push(row: Row) {
        if (results.length >= cap) return false;
        const result = toResult(row, columns);
        held += result.reduce((n, f) => n + f.field.length + f.value.length + 32, 0);
        if (held > MAX_HELD_CHARS) throw tooMuchHeld();
        results.push(result);
        return results.length < cap;
      },
      finish: () => undefined,
    };
  };
  const snapshot = (feed: (sink: Stage) => void) => () => {
    const rows: ResultField[][] = [];
    feed(collector(rows));
    return rows;
  };
  const results: ResultField[][] = [];
  const p = plan(spec.query, collector(results), () => void control.stats.recordsMatched++);
  columns = p.columns;
  if (p.counting) {
    const bins = new Map<number, number>();
    const counting = p.counting;
    control.onPartial?.(snapshot((sink) => pushBins(bins, counting, counting.fresh(sink))));
    await countBins(reader, spec, control, counting, bins);
    return results;
  }
  const peek = p.peek;
  control.onPartial?.(peek ? snapshot(peek) : () => results.slice());
  let wanted = true;
  for (const group of spec.groups) {
    const log = `${spec.account}:${group}`;
    let token: string | undefined;
    do {
      control.check();
      const page = await reader.filterEvents({ group, startTime: spec.startTime, endTime: spec.endTime, pattern: p.pattern, token, limit: PAGE });
      for (const event of page.events) {
        control.stats.recordsScanned++;
        control.stats.bytesScanned += event.message.length;
        if (!p.head.push(new EventRow(event, log))) {
          wanted = false;
          break;
        }
      }
      token = page.nextToken;
      // Let requests in between pages: the store's read is bounded (~50 ms), so is this page's work.
      await new Promise((resolve) => setImmediate(resolve));
    } while (token !== undefined && wanted);
    if (!wanted) break;
  }
  control.check();
  p.head.finish();
  return results;
}

/** `stats count(*) by bin(…)`: the store counts each bin (LogReader.countEvents); no event is read. */
async function countBins(reader: LogReader, spec: RunSpec, control: RunControl, counting: NonNullable<Plan['counting']>, bins: Map<number, number>): Promise<void> {
  for (const group of spec.groups) {
    let token: string | undefined;
    do {
      control.check();
      const page = await reader.countEvents({ group, startTime: spec.startTime, endTime: spec.endTime, binMs: counting.binMs, token });
      for (const b of page.bins) {
        bins.set(b.start, (bins.get(b.start) ?? 0) + b.count);
        control.stats.recordsScanned += b.count;
        control.stats.recordsMatched += b.count;
      }
      if (bins.size > MAX_GROUPS) throw new QueryFailure(`stats made more than ${MAX_GROUPS.toLocaleString('en')} groups; group by fewer values (a coarser bin, fewer fields)`);
      token = page.nextToken;
      await new Promise((resolve) => setImmediate(resolve));
    } while (token !== undefined);
  }
  control.check();
  pushBins(bins, counting, counting.after);
}

/** The bins counted, as the stats' group rows, into the stages after it. */
function pushBins(bins: ReadonlyMap<number, number>, counting: NonNullable<Plan['counting']>, after: Stage): void {
  for (const start of [...bins.keys()].sort((a, b) => a - b)) {
    const row = new MapRow();
    row.set(counting.binName, new Time(start));
    row.set(counting.countName, bins.get(start)!);
    if (!after.push(row)) break;
  }
  after.finish();
}

function toResult(row: Row, columns: readonly string[]): ResultField[] {
  const fields: ResultField[] = [];
  for (const field of columns) {
    const value = toText(row.get(field));
    if (value !== undefined) fields.push({ field, value });
  }
  return fields;
}
