// Errors: failed invocations grouped by function, error type and message shape (numbers and ids
// normalised), with counts, first and last seen, a trend, and the latest invocation one click away.
// A group opens in place: its sample message and links to its invocations.
import { clear, h } from '../dom.js';
import { ago, count, time } from '../format.js';
import * as api from '../lambda.js';
import { path } from '../nav.js';
import { aborted, type Page } from '../page.js';
import { sparkline } from '../spark.js';
import { dataTable } from '../table.js';
import type { ErrorGroup } from '../types.js';
import { empty, failure, link, loading, windowControl } from '../ui.js';

type Row = ErrorGroup & { trend: readonly number[] };

export const errorsPage: Page = ({ root, query, signal }) => {
  const picker = h('div');
  const body = h('div', loading('errors'));
  clear(root, h('header.page-head', h('h1', 'Errors'), picker), body);
  const win = windowControl(query, '24h', picker, () => void load());

  const load = async () => {
    try {
      const [first, trends] = await Promise.all([api.errors(win.current, signal), api.errorTrends(win.current, signal)]);
      const byKey = new Map(trends.groups.map((g) => [`${g.functionName}\0${g.errorType}\0${g.message}`, g.counts]));
      const rowsOf = (errors: readonly ErrorGroup[]): Row[] =>
        errors.map((e) => ({ ...e, trend: byKey.get(`${e.functionName}\0${e.errorType ?? ''}\0${e.message ?? ''}`) ?? [] }));
      const rows = rowsOf(first.errors);
      if (rows.length === 0) {
        clear(body, empty(`No errors in the last ${win.current}`, 'Failed invocations (errors, timeouts, crashes, throttles) are grouped here by their type and message.'));
        return;
      }
      const table = dataTable<Row>({
        label: 'Error groups', rows, rowClass: () => 'group',
        onOpen: (row, tr) => toggle(row, tr),
        columns: [
          { title: 'Function', cell: (r) => r.functionName },
          { title: 'Error', cell: (r) => h('div.error-cell', h('strong', r.errorType ?? '(no type)'), h('span.muted', r.message ?? '')) },
          { title: 'Count', cell: (r) => count(r.count), num: true },
          { title: 'First seen', cell: (r) => h('span', { title: time(r.firstSeen) }, ago(r.firstSeen)), narrow: false },
          { title: 'Last seen', cell: (r) => h('span', { title: time(r.lastSeen) }, ago(r.lastSeen)) },
          { title: 'Trend', cell: (r) => sparkline(r.trend, r.trend, `Trend of ${r.errorType ?? 'error'}`), narrow: false },
          { title: 'Latest', cell: (r) => link(path(`/invocations/${r.latestRequestId}`), 'open →') },
        ],
      });
      // A page of groups at a time: a button fetches the next while the server says more follow.
      let cursor = first.nextCursor;
      const more = h('button', { type: 'button', hidden: !cursor }, 'Load more groups');
      const footer = h('div.pager', more);
      more.addEventListener('click', async () => {
        more.disabled = true;
        try {
          const page = await api.errors(win.current, signal, cursor);
          table.append(rowsOf(page.errors));
          cursor = page.nextCursor;
          more.hidden = !cursor;
        } catch (err) {
          if (!aborted(err)) footer.append(failure(err));
        }
        more.disabled = false;
      });
      clear(body, table.el, footer);
    } catch (err) {
      if (!aborted(err)) clear(body, failure(err));
    }
  };

  const toggle = (row: Row, tr: HTMLTableRowElement) => {
    const next = tr.nextElementSibling;
    if (next?.classList.contains('detail')) {
      next.remove();
      tr.setAttribute('aria-expanded', 'false');
      return;
    }
    tr.setAttribute('aria-expanded', 'true');
    const fn = encodeURIComponent(row.functionName);
    const detail = h('tr.detail', h('td', { colSpan: tr.cells.length },
      h('div.group-detail',
        h('p', h('strong', row.errorType ?? '(no type)'), ' in ', link(path(`/functions/${fn}`), row.functionName),
          ` — ${count(row.count)} time${row.count === 1 ? '' : 's'} between ${time(row.firstSeen)} and ${time(row.lastSeen)}`),
        h('pre.stack', row.sampleMessage ?? row.message ?? ''),
        h('p.links',
          link(path(`/invocations/${row.latestRequestId}`), 'Latest invocation →'), ' ',
          link(path(`/invocations?function=${fn}&outcome=${outcomeOf(row)}&since=${win.current}`), `All failed invocations of ${row.functionName} →`)))));
    tr.after(detail);
  };
  void load();
};

function outcomeOf(row: ErrorGroup): string {
  if (row.errorType === 'Sandbox.Timedout') return 'timeout';
  if (row.errorType === 'TooManyRequestsException') return 'throttled';
  if (row.errorType?.startsWith('Runtime.Exit')) return 'crash';
  return 'error';
}
