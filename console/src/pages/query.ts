// Query: Logs Insights over the log groups (all of them, or one), for a time window. A text box
// with the queries run before in this browser, the results as a table, and a chart when the query
// ends in `stats … by bin(…)` (one line per numeric column, over the bin column).
import { chart, type SeriesSpec } from '../chart.js';
import { clear, h } from '../dom.js';
import { count } from '../format.js';
import { binned, history, logGroups, remember, runQuery, type QueryResult } from '../logs-insights.js';
import { setQuery } from '../nav.js';
import { aborted, type Page } from '../page.js';
import { dataTable } from '../table.js';
import type { WindowName } from '../types.js';
import { empty, failure, loading, WINDOWS } from '../ui.js';

const WINDOW_MS: Record<WindowName, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
const SAMPLE = 'fields @timestamp, @message\n| filter @message like /error/\n| sort @timestamp desc\n| limit 50';
const COLORS = ['--c1', '--c2', '--c3', '--bad'];

export const queryPage: Page = async ({ root, query, signal }) => {
  const text = h('textarea.code.query', { 'aria-label': 'Query', rows: 5, spellcheck: false }, query.get('q') ?? history()[0] ?? SAMPLE);
  const groupSelect = h('select', { 'aria-label': 'Log group' }, h('option', { value: '' }, 'All log groups'));
  const windowSelect = h('select', { 'aria-label': 'Time range' }, WINDOWS.map((w) => h('option', { value: w, selected: w === (query.get('window') ?? '1h') }, `Last ${w}`)));
  const run = h('button.primary', { type: 'submit' }, 'Run');
  const past = h('ul.history', { 'aria-label': 'Query history' });
  const out = h('div.results', { 'aria-live': 'polite' });
  const form = h('form.query-form', text, h('div.query-controls', groupSelect, windowSelect, run));
  clear(root, h('header.page-head', h('h1', 'Query')), form, h('details', h('summary', 'History'), past), out);

  const drawHistory = () => clear(past, history().map((q) => h('li', h('button.link', { type: 'button', onclick: () => (text.value = q) }, q))));
  drawHistory();
  let groups: string[] = [];
  try {
    groups = await logGroups(signal);
    groupSelect.append(...groups.map((g) => h('option', { value: g, selected: g === query.get('group') }, g)));
  } catch (err) {
    if (!aborted(err)) clear(out, failure(err));
  }

  let running: AbortController | undefined;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    running?.abort();
    const mine = (running = new AbortController());
    signal.addEventListener('abort', () => mine.abort());
    const q = text.value.trim();
    if (!q) return;
    const chosen = groupSelect.value ? [groupSelect.value] : groups;
    if (chosen.length === 0) {
      clear(out, empty('No log groups yet', 'Invoke a function: its log group appears here.'));
      return;
    }
    remember(q);
    drawHistory();
    setQuery({ q, group: groupSelect.value, window: windowSelect.value });
    clear(out, loading('results'));
    run.disabled = true;
    try {
      const result = await runQuery(q, chosen, WINDOW_MS[windowSelect.value as WindowName], mine.signal);
      clear(out, ...show(q, result, mine.signal));
    } catch (err) {
      if (!aborted(err)) clear(out, failure(err));
    }
    run.disabled = false;
  });
};

function show(q: string, r: QueryResult, signal: AbortSignal): Node[] {
  const summary = h('p.muted', `${r.status} · ${count(r.rows.length)} rows · ${count(r.matched)} records matched of ${count(r.scanned)} scanned`);
  if (r.rows.length === 0) return [summary, empty('No results', 'Widen the time range or loosen the filter.')];
  const table = dataTable<Record<string, string>>({
    label: 'Query results', rows: r.rows, columns: r.fields.map((f) => ({ title: f, cell: (row) => row[f] ?? '' })),
  });
  return [...(binned(q) ? [timeChart(r, signal)] : []).filter((n): n is HTMLElement => n !== undefined), summary, table.el];
}

/** The bin column (values that read as times) against each numeric column, in time order. */
function timeChart(r: QueryResult, signal: AbortSignal): HTMLElement | undefined {
  const asTime = (v: string | undefined) => (v === undefined ? NaN : Date.parse(v.includes('T') ? v : `${v.replace(' ', 'T')}Z`));
  const binField = r.fields.find((f) => r.rows.every((row) => !Number.isNaN(asTime(row[f]))));
  if (!binField) return undefined;
  const rows = [...r.rows].sort((a, b) => asTime(a[binField]) - asTime(b[binField]));
  const numeric = r.fields.filter((f) => f !== binField && rows.every((row) => row[f] === undefined || row[f] === '' || Number.isFinite(Number(row[f]))));
  if (numeric.length === 0) return undefined;
  const series: SeriesSpec[] = numeric.slice(0, COLORS.length).map((f, i) => ({
    label: f, color: COLORS[i]!, values: rows.map((row) => (row[f] === undefined || row[f] === '' ? null : Number(row[f]))),
  }));
  return chart(numeric.join(', '), rows.map((row) => asTime(row[binField])), series, signal);
}
