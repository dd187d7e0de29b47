// One function: its charts over the window (invocations and errors, duration percentiles, cold
// starts and init time, environments, memory against the limit), its configuration, its
// environments now (each can be stopped), and its deploy history.
import { axisMs, chart } from '../chart.js';
import { clear, h } from '../dom.js';
import { age, ago, bytes, count, lambdaTime, mb, ms, time } from '../format.js';
import * as api from '../lambda.js';
import { path } from '../nav.js';
import { aborted, every, type Page } from '../page.js';
import { dataTable } from '../table.js';
import type { Environment, Series } from '../types.js';
import { empty, failure, kv, link, loading, section, windowControl } from '../ui.js';

export const functionPage: Page = async ({ root, params, query, signal }) => {
  const name = params.name!;
  const picker = h('div');
  const summary = h('div.summary');
  const charts = h('div.charts', loading('charts'));
  const config = h('div', loading('configuration'));
  const envs = h('div', loading('environments'));
  const history = h('div', loading('deploy history'));
  const q = encodeURIComponent(name);
  clear(root,
    h('header.page-head',
      h('div', h('p.crumbs', link(path('/'), 'Functions'), ' / '), h('h1', name)),
      h('div.actions',
        link(path(`/invocations?function=${q}`), 'Invocations'),
        link(path(`/tail?function=${q}`), 'Live tail'),
        link(path(`/invoke?function=${q}`), 'Invoke'),
        picker)),
    summary, charts,
    h('div.columns', section('Configuration', config), section('Environments now', envs)),
    section('Deploy history', history));

  let chartSignal = new AbortController();
  signal.addEventListener('abort', () => chartSignal.abort());
  const win = windowControl(query, '1h', picker, () => void loadCharts());

  const loadCharts = async () => {
    try {
      const s = await api.timeseries(name, win.current, signal);
      chartSignal.abort();
      chartSignal = new AbortController();
      drawSummary(summary, s);
      if (!s.complete) summary.append(h('p.muted.small', 'The server is still reading the invocations stored before it started: numbers are partial.'));
      if (s.totals.invocations === 0 && s.totals.throttles === 0) {
        clear(charts, empty(`No invocations of ${name} in the last ${win.current}`, 'Invoke it to see it here:', `lambkin invoke ${name} --payload '{}'`));
        return;
      }
      clear(charts, ...drawCharts(s, chartSignal.signal));
    } catch (err) {
      if (!aborted(err)) clear(charts, failure(err));
    }
  };

  const loadEnvs = async () => {
    try {
      const { environments, unanswered } = await api.environments(name, signal);
      // On a cluster: every node's environments; a node that did not answer in time is named, not waited for.
      const silent = unanswered?.length ? h('p.muted', `Not listed: ${unanswered.join(', ')} did not answer in time.`) : null;
      clear(envs, environments.length === 0
        ? empty('No environment is running', 'The next invocation starts one (a cold start); idle ones stop after the idle timeout.')
        : envTable(environments, () => void loadEnvs()).el, silent);
    } catch (err) {
      if (!aborted(err)) clear(envs, failure(err));
    }
  };

  const loadConfig = async () => {
    try {
      const [fn, d] = await Promise.all([api.getFunction(name, signal), api.deploys(name, signal)]);
      const c = fn.Configuration;
      const vars = Object.keys(c.Environment?.Variables ?? {});
      clear(config, kv([
        ['Runtime', c.Runtime], ['Handler', h('code', c.Handler)], ['Memory', mb(c.MemorySize)], ['Timeout', `${c.Timeout} s`],
        ['Ephemeral storage', c.EphemeralStorage ? mb(c.EphemeralStorage.Size) : undefined],
        ['Code', `${bytes(c.CodeSize)} · sha256 ${c.CodeSha256.slice(0, 12)}…`], ['Last modified', `${c.LastModified} (${ago(lambdaTime(c.LastModified))})`],
        ['Log group', c.LoggingConfig?.LogGroup], ['Log format', c.LoggingConfig?.LogFormat],
        ['Environment', vars.length ? vars.join(', ') : 'none'],
        ['Reserved concurrency', fn.Concurrency?.ReservedConcurrentExecutions === undefined ? 'none' : String(fn.Concurrency.ReservedConcurrentExecutions)],
        ['Logging', c.LambkinLogging === false ? 'off (output not kept)' : 'on'],
        ['Payload recording', c.LambkinRecordPayloads ? 'on (events and responses kept, 64 KiB each)' : 'off'],
        ['Environments', c.LambkinSingleUse ? 'single-use (one invocation each, then destroyed)' : 'reused while warm'],
        ['Description', c.Description || undefined],
      ]));
      clear(history, d.deploys.length === 0 ? empty('No deploys recorded', 'Deploys are recorded from the first one this server sees.') : dataTable({
        label: 'Deploy history', rows: d.deploys,
        columns: [
          { title: 'When', cell: (r) => h('span', { title: time(r.at) }, ago(r.at)) },
          { title: 'What', cell: (r) => ({ create: 'created', code: 'code updated', configuration: 'configuration updated', publish: `published version ${r.version ?? ''}`, delete: 'deleted' } as Record<string, string>)[r.kind] ?? r.kind },
          { title: 'Runtime', cell: (r) => r.runtime ?? '–', narrow: false },
          { title: 'Memory', cell: (r) => mb(r.memorySize), num: true, narrow: false },
          { title: 'Timeout', cell: (r) => (r.timeout === undefined ? '–' : `${r.timeout} s`), num: true, narrow: false },
          { title: 'Code', cell: (r) => (r.codeSha256 ? h('code', `${r.codeSha256.slice(0, 12)}…`) : '–'), narrow: false },
          { title: 'Size', cell: (r) => bytes(r.codeSize), num: true, narrow: false },
        ],
      }).el);
    } catch (err) {
      if (!aborted(err)) clear(config, failure(err));
    }
  };

  await Promise.all([loadCharts(), loadEnvs(), loadConfig()]);
  every(10_000, signal, async () => {
    await loadEnvs();
    await loadCharts();
  });
};

function drawSummary(el: HTMLElement, s: Series): void {
  const t = s.totals;
  const stat = (label: string, value: string, cls = '') => h('div.stat', { class: cls }, h('span.value', value), h('span.label', label));
  clear(el,
    stat('Invocations', count(t.invocations)),
    stat('Errors', count(t.errors), t.errors ? 'bad' : ''),
    stat('Throttles', count(t.throttles), t.throttles ? 'warn' : ''),
    stat('Cold starts', count(t.coldStarts)),
    stat('p50', ms(t.durationMs?.p50)),
    stat('p99', ms(t.durationMs?.p99)),
    stat('Peak memory', t.maxMemoryUsedMb === undefined ? '–' : `${t.maxMemoryUsedMb} / ${t.memoryMb ?? '?'} MB`));
}

function drawCharts(s: Series, signal: AbortSignal): HTMLElement[] {
  const times = s.points.map((p) => p.t);
  const pts = s.points;
  const zeroToNull = (v: number | undefined, has: boolean) => (has ? v : null);
  return [
    chart('Invocations, errors and throttles', times, [
      { label: 'Invocations', color: '--c1', values: pts.map((p) => p.invocations), bars: true },
      { label: 'Errors', color: '--bad', values: pts.map((p) => p.errors) },
      { label: 'Throttles', color: '--warn', values: pts.map((p) => p.throttles), dash: true },
    ], signal),
    chart('Duration', times, [
      { label: 'p50', color: '--c1', values: pts.map((p) => p.durationMs?.p50), format: ms },
      { label: 'p95', color: '--c2', values: pts.map((p) => p.durationMs?.p95), format: ms },
      { label: 'p99', color: '--c3', values: pts.map((p) => p.durationMs?.p99), format: ms },
    ], signal, axisMs),
    chart('Cold starts and init duration', times, [
      { label: 'Cold starts', color: '--c2', values: pts.map((p) => p.coldStarts), bars: true },
      { label: 'Init (avg)', color: '--c3', values: pts.map((p) => zeroToNull(p.initMsAvg, p.coldStarts > 0)), axis: 'y2', format: ms },
    ], signal, undefined, axisMs),
    chart('Environments in use', times, [
      { label: 'Environments', color: '--c1', values: pts.map((p) => zeroToNull(p.environments, p.invocations > 0)) },
    ], signal),
    chart('Max memory used', times, [
      { label: 'Max used', color: '--c2', values: pts.map((p) => p.maxMemoryUsedMb ?? null) },
      { label: 'Limit', color: '--muted', values: pts.map(() => s.totals.memoryMb ?? null), dash: true },
    ], signal, (v) => `${Math.round(v)} MB`),
  ];
}

function envTable(rows: Environment[], reload: () => void) {
  return dataTable<Environment>({
    label: 'Environments now', rows,
    columns: [
      { title: 'Environment', cell: (e) => h('code', { title: e.id }, e.id.slice(0, 12)) },
      { title: 'State', cell: (e) => h('span.badge', { class: `s-${e.busy ? 'busy' : e.state}` }, e.busy ? 'busy' : e.frozen ? `${e.state}, frozen` : e.state) },
      { title: 'Version', cell: (e) => e.version, narrow: false },
      ...(rows.some((e) => e.node) ? [{ title: 'Node', cell: (e: Environment) => e.node ?? '' }] : []),
      { title: 'Age', cell: (e) => age(e.ageMs), num: true },
      { title: 'Invocations', cell: (e) => count(e.invocations), num: true },
      { title: 'Log stream', cell: (e) => h('code.small', e.logStream), narrow: false },
      {
        title: '', cell: (e) => h('button.small.danger', {
          type: 'button', 'aria-label': `Stop environment ${e.id.slice(0, 12)}`,
          onclick: async (ev: Event) => {
            const b = ev.currentTarget as HTMLButtonElement;
            if (e.busy && !confirm('This environment is running an invocation: stopping it fails that invocation. Stop it?')) return;
            b.disabled = true;
            b.textContent = 'Stopping…';
            try {
              await api.stopEnvironment(e.id);
            } catch (err) {
              alert((err as Error).message);
            }
            setTimeout(reload, 300);
          },
        }, 'Stop'),
      },
    ],
  });
}
