// The invocations explorer: invocation records newest first, filtered by function, outcome,
// cold/warm, duration, time range and free text over the logs; 100 at a time, with the next page
// fetched by cursor (keyset paging: as fast on page 1,000 as on page 1).
import { clear, h } from '../dom.js';
import { count, ms, time } from '../format.js';
import * as api from '../lambda.js';
import { path, setQuery } from '../nav.js';
import { aborted, type Page } from '../page.js';
import { dataTable, type Table } from '../table.js';
import type { Invocation } from '../types.js';
import { empty, failure, link, loading, outcomeBadge } from '../ui.js';

const PAGE = 100;
const FIELDS = ['function', 'outcome', 'cold', 'minDurationMs', 'since', 'q'] as const;

export const invocationsPage: Page = async ({ root, query, signal }) => {
  const value = (k: string) => query.get(k) ?? '';
  const fnSelect = h('select', { name: 'function', 'aria-label': 'Function' }, h('option', { value: '' }, 'All functions'));
  const form = h('form.filters', { role: 'search' },
    h('label', 'Function', fnSelect),
    h('label', 'Outcome', select('outcome', value('outcome'), [['', 'Any'], ['success', 'Success'], ['error', 'Error'], ['timeout', 'Timeout'], ['crash', 'Crash'], ['throttled', 'Throttled']])),
    h('label', 'Start', select('cold', value('cold'), [['', 'Cold or warm'], ['true', 'Cold'], ['false', 'Warm']])),
    h('label', 'Duration ≥ (ms)', h('input', { name: 'minDurationMs', type: 'number', min: '0', step: 'any', value: value('minDurationMs'), placeholder: '0', inputmode: 'decimal' })),
    h('label', 'Time range', select('since', value('since') || '24h', [['15m', 'Last 15 min'], ['1h', 'Last hour'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['all', 'Everything kept']])),
    h('label.grow', 'Text in the logs', h('input', { name: 'q', type: 'search', value: value('q'), placeholder: 'e.g. order 1234', spellcheck: 'false' })),
    h('button.primary', { type: 'submit' }, 'Search'));
  const results = h('div', loading('invocations'));
  clear(root, h('header.page-head', h('h1', 'Invocations')), form, results);

  // The function list first, so that a function named in the address is selected before searching.
  const wanted = value('function');
  const names = await api.listFunctions(signal).then((fns) => fns.map((f) => f.FunctionName)).catch(() => [] as string[]);
  if (wanted && !names.includes(wanted)) names.push(wanted);
  for (const n of names) fnSelect.append(h('option', { value: n, selected: n === wanted }, n));

  let run = new AbortController();
  signal.addEventListener('abort', () => run.abort());
  const search = async () => {
    run.abort();
    run = new AbortController();
    const s = run.signal;
    const data = new FormData(form);
    const filter: Record<string, string> = {};
    for (const k of FIELDS) filter[k] = String(data.get(k) ?? '').trim();
    setQuery(filter);
    const apiFilter = { ...filter, since: filter.since === 'all' ? undefined : filter.since };
    clear(results, loading('invocations'));
    const started = performance.now();
    try {
      let page = await api.invocations(apiFilter, undefined, PAGE, s);
      // A text search out of time answers a partial page (even an empty one) and a cursor: go on a few times.
      for (let i = 0; i < 10 && page.invocations.length === 0 && page.nextCursor; i++) page = await api.invocations(apiFilter, page.nextCursor, PAGE, s);
      if (page.invocations.length === 0 && !page.nextCursor) {
        clear(results, empty('No invocations match', Object.values(filter).some((v) => v && v !== '24h')
          ? 'Widen the filters or the time range.' : 'Invoke a function to see its invocations here.'));
        return;
      }
      let shown = 0;
      const table: Table<Invocation> = dataTable<Invocation>({
        label: 'Invocations', rows: [], href: (r) => path(`/invocations/${r.requestId}`),
        rowClass: (r) => (r.outcome === 'success' ? '' : 'row-bad'),
        columns: [
          { title: 'Started', cell: (r) => time(r.startedAt) },
          { title: 'Function', cell: (r) => r.functionName },
          { title: 'Outcome', cell: (r) => outcomeBadge(r.outcome) },
          { title: 'Start', cell: (r) => (r.cold ? h('span.badge.cold', 'cold') : 'warm'), narrow: false },
          { title: 'Duration', cell: (r) => ms(r.durationMs), num: true },
          { title: 'Init', cell: (r) => ms(r.initMs), num: true, narrow: false },
          { title: 'Memory', cell: (r) => (r.maxMemoryUsedMb === undefined ? '–' : `${r.maxMemoryUsedMb} / ${r.memoryMb} MB`), num: true, narrow: false },
          { title: 'Error', cell: (r) => (r.errorType ? h('span', { title: r.errorMessage ?? '' }, r.errorType) : ''), narrow: false },
          { title: 'Request id', cell: (r) => link(path(`/invocations/${r.requestId}`), h('code', r.requestId)), narrow: false },
        ],
      });
      const more = h('button', { type: 'button' }, 'Load 100 more');
      const status = h('p.muted.small');
      const footer = h('div.pager', more, status);
      const show = () => {
        table.append(page.invocations);
        shown += page.invocations.length;
        status.textContent = `${count(shown)} shown${page.nextCursor ? ', more match' : ', that is all'} · ${Math.round(performance.now() - started)} ms`;
        more.hidden = !page.nextCursor;
      };
      more.addEventListener('click', async () => {
        more.disabled = true;
        try {
          page = await api.invocations(apiFilter, page.nextCursor, PAGE, s);
          show();
        } catch (err) {
          if (!aborted(err)) footer.append(failure(err));
        }
        more.disabled = false;
      });
      show();
      clear(results, table.el, footer);
    } catch (err) {
      if (!aborted(err)) clear(results, failure(err));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void search();
  });
  form.addEventListener('change', (e) => {
    if ((e.target as Element).tagName === 'SELECT') void search();
  });
  await search();
};

function select(name: string, current: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { name }, options.map(([v, label]) => h('option', { value: v, selected: v === current }, label)));
}
