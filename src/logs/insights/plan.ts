// A parsed query as a chain of stages (stages.ts), the columns its results show, and what of it
// the store can do for us (pushdown.ts). The columns: what `fields` and `parse` name (or
// @timestamp and @message when the query names none), replaced by the group's and aggregations'
// names after `stats`, and exactly those of `display` when there is one.
import type { Command, Query } from './ast.js';
import { MAX_RESULT_ROWS } from './parser.js';
import { pushdownPattern } from './pushdown.js';
import type { CompiledPattern } from '../filter-terms.js';
import type { Row } from './row.js';
import { countStage, dedupStage, fieldsStage, filterStage, limitStage, parseStage, sortStage, statsStage, type Stage } from './stages.js';

export interface Plan {
  readonly columns: readonly string[];
  /** What the store can narrow events by before they reach the stages (undefined: every event). */
  readonly pattern: CompiledPattern | undefined;
  /** Whether any stage keeps rows to the end (stats, sort): the scan cannot stop early for a limit. */
  readonly blocking: boolean;
  /** The first stage: push each event's row into it, then finish(). */
  readonly head: Stage;
  /**
   * Set when the query starts with `stats count(*) by bin(…)` alone: the store can count the bins
   * (LogReader.countEvents) without reading the events; push the group rows into `after`.
   */
  readonly counting?: {
    readonly binMs: number; readonly binName: string; readonly countName: string; readonly after: Stage;
    /** A fresh copy of the stages after the stats, ending in `sink` (for partial results). */
    readonly fresh: (sink: Stage) => Stage;
  };
  /**
   * For a query whose stages hold rows (stats, sort): push into `sink` the rows it would answer
   * if the events pushed so far were all (GetQueryResults while Running). Undefined otherwise:
   * the rows that reached the sink are the partial results.
   */
  readonly peek?: (sink: Stage) => void;
}

export function plan(query: Query, sink: Stage, matched: () => void): Plan {
  const commands = withoutUselessSorts(query.commands);
  const statsAt = commands.findIndex((c) => c.kind === 'stats');
  // Events matched: those past the last filter before stats (or before the end).
  const lastEventFilter = lastIndex(commands.slice(0, statsAt < 0 ? commands.length : statsAt), (c) => c.kind === 'filter');
  const holdsAt = commands.findIndex((c) => c.kind === 'stats' || c.kind === 'sort');
  let head = sink;
  let afterStats = sink;
  let holding: Stage | undefined;
  for (let i = commands.length - 1; i >= -1; i--) {
    if (i === lastEventFilter) head = countStage(matched, head);
    if (i < 0) break;
    if (i === statsAt) afterStats = head;
    head = stage(commands[i]!, head, commands[i + 1]);
    if (i === holdsAt) holding = head;
  }
  // The stages after position `at`, anew (their state, a limit's count, starts again); matched
  // events are counted by the real run only.
  const freshAfter = (at: number, end: Stage): Stage => {
    let h = end;
    for (let i = commands.length - 1; i > at; i--) h = stage(commands[i]!, h, commands[i + 1]);
    return h;
  };
  const first = commands[0];
  let counting: Plan['counting'];
  if (first?.kind === 'stats' && first.aggregates.length === 1 && first.by.length === 1) {
    const [agg, by] = [first.aggregates[0]!, first.by[0]!];
    const isCount = agg.expr.kind === 'call' && agg.expr.name === 'count' && (agg.expr.star || agg.expr.args.length === 0);
    const bin = by.expr.kind === 'call' && by.expr.name === 'bin' ? by.expr.args[0] : undefined;
    if (isCount && bin?.kind === 'duration') {
      counting = { binMs: bin.ms, binName: by.name, countName: agg.name, after: afterStats, fresh: (end) => freshAfter(statsAt, end) };
    }
  }
  const peek = holding?.peek && ((end: Stage) => holding.peek!(freshAfter(holdsAt, end)));
  return {
    columns: columnsOf(commands), pattern: pushdownPattern(commands), blocking: holdsAt >= 0, head, counting, ...(peek ? { peek } : {}),
  };
}

function stage(c: Command, next: Stage, following: Command | undefined): Stage {
  switch (c.kind) {
    case 'filter':
      return filterStage(c.expr, next);
    case 'fields':
      return fieldsStage(c.items, next);
    case 'parse':
      return parseStage(c, next);
    case 'stats':
      return statsStage(c, next);
    case 'sort':
      return sortStage(c.keys, following?.kind === 'limit' ? following.count : MAX_RESULT_ROWS, next);
    case 'limit':
      return limitStage(c.count, next);
    case 'dedup':
      return dedupStage(c.fields, next);
    case 'display':
      return next;
  }
}

/** A sort before stats changes nothing stats gives (earliest/latest go by @timestamp): dropped. */
function withoutUselessSorts(commands: readonly Command[]): Command[] {
  const statsAt = commands.findIndex((c) => c.kind === 'stats');
  return commands.filter((c, i) => !(c.kind === 'sort' && i < statsAt));
}

function columnsOf(commands: readonly Command[]): string[] {
  let columns: string[] = [];
  let named = false;
  const add = (name: string) => {
    if (!columns.includes(name)) columns.push(name);
  };
  for (const c of commands) {
    if (c.kind === 'fields') {
      named = true;
      c.items.forEach((i) => { add(i.name); });
    } else if (c.kind === 'parse') c.pattern.names.forEach(add);
    else if (c.kind === 'stats') {
      named = true;
      columns = [];
      [...c.by, ...c.aggregates].forEach((n) => { add(n.name); });
    }
  }
  if (!named) columns = ['@timestamp', '@message', ...columns.filter((n) => n !== '@timestamp' && n !== '@message')];
  const display = commands.filter((c) => c.kind === 'display').pop();
  return display && display.kind === 'display' ? [...display.names] : columns;
}

function lastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

export type { Row };
