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
}

/** Events per page read from the store. */
const PAGE = 5_000;

export async function runQuery(reader: LogReader, spec: RunSpec, control: RunControl): Promise<ResultField[][]> {
  const results: ResultField[][] = [];
  const cap = Math.min(spec.limit, MAX_RESULT_ROWS);
  let columns: readonly string[] = [];
  let held = 0;
  const sink: Stage = {
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
  const p = plan(spec.query, sink, () => void control.stats.recordsMatched++);
  columns = p.columns;
  if (p.counting) {
    await countBins(reader, spec, control, p.counting);
    return results;
  }
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
async function countBins(reader: LogReader, spec: RunSpec, control: RunControl, counting: NonNullable<Plan['counting']>): Promise<void> {
  const bins = new Map<number, number>();
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
  for (const start of [...bins.keys()].sort((a, b) => a - b)) {
    const row = new MapRow();
    row.set(counting.binName, new Time(start));
    row.set(counting.countName, bins.get(start)!);
    if (!counting.after.push(row)) break;
  }
  counting.after.finish();
}

function toResult(row: Row, columns: readonly string[]): ResultField[] {
  const fields: ResultField[] = [];
  for (const field of columns) {
    const value = toText(row.get(field));
    if (value !== undefined) fields.push({ field, value });
  }
  return fields;
}
