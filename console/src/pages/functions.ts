// Functions: every function with its configuration and its numbers over the chosen window,
// a sparkline of its invocations, and its environments now. Refreshes every 10 s.
import { clear, h } from '../dom.js';
import { ago, count, lambdaTime, mb, ms } from '../format.js';
import * as api from '../lambda.js';
import { path } from '../nav.js';
import { aborted, every, type Page } from '../page.js';
import { sparkline } from '../spark.js';
import { dataTable } from '../table.js';
import type { FunctionConfiguration, OverviewRow } from '../types.js';
import { empty, failure, link, loading, windowControl } from '../ui.js';

interface Row {
  readonly config: FunctionConfiguration;
  readonly stats: OverviewRow | undefined;
}

export const functionsPage: Page = ({ root, query, signal }) => {
  const body = h('div', loading('functions'));
  const picker = h('div');
  const win = windowControl(query, '1h', picker, () => void load());
  clear(root, h('header.page-head', h('h1', 'Functions'), picker), body);

  const load = async () => {
    try {
      const [functions, overview] = await Promise.all([api.listFunctions(signal), api.overview(win.current, signal)]);
      const stats = new Map(overview.functions.map((f) => [f.functionName, f]));
      const rows: Row[] = functions.sort((a, b) => a.FunctionName.localeCompare(b.FunctionName)).map((config) => ({ config, stats: stats.get(config.FunctionName) }));
      const hadFocus = body.contains(document.activeElement);
      if (rows.length === 0) {
        clear(body, empty('No functions yet — run `lambkin deploy examples/hello-python`',
          'Deploy a folder, a zip or a single file; it shows up here with its invocations, errors and cold starts.',
          'lambkin deploy examples/hello-python'));
        return;
      }
      const table = dataTable<Row>({
        label: 'Functions', rows, href: (r) => path(`/functions/${encodeURIComponent(r.config.FunctionName)}?window=${win.current}`),
        columns: [
          { title: 'Function', cell: (r) => link(path(`/functions/${encodeURIComponent(r.config.FunctionName)}?window=${win.current}`), r.config.FunctionName) },
          { title: 'Runtime', cell: (r) => r.config.Runtime, narrow: false },
          { title: 'Memory', cell: (r) => mb(r.config.MemorySize), num: true, narrow: false },
          { title: 'Timeout', cell: (r) => `${r.config.Timeout} s`, num: true, narrow: false },
          { title: 'Last deploy', cell: (r) => h('span', { title: r.config.LastModified }, ago(lambdaTime(r.config.LastModified))), narrow: false },
          { title: 'Invocations', cell: (r) => count(r.stats?.invocations ?? 0), num: true },
          { title: 'Errors', cell: (r) => errorsCell(r.stats), num: true },
          { title: 'Throttles', cell: (r) => count(r.stats?.throttles ?? 0), num: true, narrow: false },
          { title: 'Cold starts', cell: (r) => count(r.stats?.coldStarts ?? 0), num: true, narrow: false },
          { title: 'p50', cell: (r) => ms(r.stats?.durationMs?.p50), num: true, title2: 'Median duration' },
          { title: 'p99', cell: (r) => ms(r.stats?.durationMs?.p99), num: true, narrow: false, title2: '99th percentile duration' },
          { title: 'Warm now', cell: (r) => warmCell(r.stats), num: true, title2: 'Execution environments now (busy)' },
          { title: `Last ${win.current}`, cell: (r) => (r.stats ? sparkline(r.stats.spark.invocations, r.stats.spark.errors, `Invocations of ${r.config.FunctionName}`) : ''), narrow: false },
        ],
      });
      clear(body, table.el, h('p.muted.small', `${rows.length} function${rows.length === 1 ? '' : 's'} · numbers over the last ${win.current} · updated ${new Date().toLocaleTimeString()}`,
        overview.complete ? '' : ' · the server is still reading the invocations stored before it started: numbers are partial'));
      if (hadFocus) table.focusFirst();
    } catch (err) {
      if (!aborted(err)) clear(body, failure(err));
    }
  };
  void load();
  every(10_000, signal, () => {
    if (!body.contains(document.activeElement) || document.activeElement === document.body) void load();
  });
};

function errorsCell(s: OverviewRow | undefined): Node | string {
  const n = s?.errors ?? 0;
  if (n === 0) return '0';
  return h('span.bad', { title: `${((n / Math.max(1, s!.invocations)) * 100).toFixed(1)} % of invocations` }, count(n));
}

function warmCell(s: OverviewRow | undefined): string {
  const env = s?.environmentsNow;
  if (!env || env.total === 0) return '0';
  return env.busy ? `${env.total} (${env.busy} busy)` : String(env.total);
}
