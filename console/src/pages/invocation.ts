// One invocation, whole: its record, a START→REPORT timeline (init, then the handler, with each
// log line placed on it), every log line of that request wherever it ran, the event and the
// result when the function records them, and the error with its stack trace.
import { clear, h } from '../dom.js';
import { ApiError } from '../api.js';
import { mb, ms, time } from '../format.js';
import * as api from '../lambda.js';
import { path } from '../nav.js';
import { aborted, type Page } from '../page.js';
import type { Invocation, LogLine, Payload } from '../types.js';
import { empty, failure, kv, link, loading, outcomeBadge, section } from '../ui.js';

export const invocationPage: Page = async ({ root, params, signal }) => {
  const id = params.id!;
  clear(root, loading(`invocation ${id}`));
  try {
    const [{ invocation: inv, events, next }, payload] = await Promise.all([
      api.invocation(id, signal),
      api.payload(id, signal).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      }),
    ]);
    const fn = inv?.functionName ?? events[0]?.functionName;
    clear(root,
      h('header.page-head',
        h('div', h('p.crumbs', link(path('/invocations'), 'Invocations'), ' / ', fn ? link(path(`/functions/${encodeURIComponent(fn)}`), fn) : ''),
          h('h1.mono', id)),
        inv && h('div.actions', outcomeBadge(inv.outcome), inv.cold ? h('span.badge.cold', 'cold start') : h('span.badge', 'warm'))),
      inv ? summary(inv) : h('p.muted', 'No invocation record (it may still be running); its log lines follow.'),
      inv && inv.outcome !== 'success' && errorPanel(inv, payload, events),
      inv && timeline(inv, events),
      section(`Log lines (${events.length}${next ? '+' : ''})`, events.length === 0
        ? empty('No log lines', 'The function printed nothing, or its logging is off (LambkinLogging: false).')
        : pagedLogList(id, events, next, signal)),
      payloadPanels(inv, payload));
  } catch (err) {
    if (aborted(err)) return;
    clear(root, err instanceof ApiError && err.status === 404
      ? empty(`No invocation ${id}`, 'It may have expired with its log group\'s retention, or the id is mistyped.')
      : failure(err));
  }
};

function summary(i: Invocation): HTMLElement {
  return h('section.panel', kv([
    ['Function', link(path(`/functions/${encodeURIComponent(i.functionName)}`), i.functionName)],
    ['Version', i.version],
    ['Started', time(i.startedAt)],
    ['Duration', `${ms(i.durationMs)} (billed ${ms(i.billedMs)})`],
    ['Init', i.initMs === undefined ? undefined : ms(i.initMs)],
    ['Memory', i.maxMemoryUsedMb === undefined ? mb(i.memoryMb) : `${i.maxMemoryUsedMb} MB used of ${i.memoryMb} MB`],
    ['Environment', i.envId ? h('code', i.envId) : undefined],
    ['Log stream', i.logStream ? h('code', i.logStream) : undefined],
  ]));
}

function timeline(i: Invocation, events: readonly LogLine[]): HTMLElement {
  const start = events.find((e) => e.message.startsWith('START RequestId'))?.timestamp ?? i.startedAt + (i.initMs ?? 0);
  const report = events.find((e) => e.message.startsWith('REPORT RequestId'))?.timestamp ?? start + i.durationMs;
  const t0 = Math.min(i.startedAt, start, ...events.map((e) => e.timestamp));
  const end = Math.max(report, start + i.durationMs, t0 + 1);
  const span = end - t0;
  const pos = (t: number) => `${(((t - t0) / span) * 100).toFixed(2)}%`;
  const width = (a: number, b: number) => `${Math.max(0.5, ((b - a) / span) * 100).toFixed(2)}%`;
  const bars = h('div.timeline', { role: 'img', 'aria-label': `Timeline: ${i.cold ? `init ${ms(i.initMs)}, ` : ''}handler ${ms(i.durationMs)}` });
  if (i.cold && start > t0) bars.append(h('div.seg.init', { style: `left:0;width:${width(t0, start)}`, title: `Init ${ms(i.initMs)}` }, 'init'));
  bars.append(h('div.seg.run', { class: i.outcome === 'success' ? '' : 'bad', style: `left:${pos(start)};width:${width(start, start + i.durationMs)}`, title: `Handler ${ms(i.durationMs)}` }, 'handler'));
  for (const e of events) {
    bars.append(h('div.tick', { class: e.level === 'ERROR' || e.level === 'FATAL' ? 'bad' : e.level === 'PLATFORM' ? 'platform' : '', style: `left:${pos(e.timestamp)}`, title: `${time(e.timestamp)} ${e.message.slice(0, 120)}` }));
  }
  return section('Timeline',
    bars,
    h('div.timeline-scale', h('span', time(t0).slice(11)), h('span', `START → REPORT ${ms(report - start)}`), h('span', time(end).slice(11))));
}

function logLines(events: readonly LogLine[]): HTMLElement[] {
  return events.map((e) => h('li', { class: `lv-${(e.level ?? 'none').toLowerCase()}` },
    h('time', time(e.timestamp).slice(11)), h('span.level', e.level ?? ''), h('pre', e.message)));
}

/** The first page of lines, and a button for each next one (an invocation may log gigabytes). */
function pagedLogList(id: string, events: readonly LogLine[], next: string | undefined, signal: AbortSignal): HTMLElement {
  const list = h('ol.log', logLines(events));
  if (!next) return list;
  let after: string | undefined = next;
  const more = h('button', { type: 'button' }, 'Load more lines');
  const footer = h('div.pager', more);
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await api.invocation(id, signal, after);
      list.append(...logLines(page.events));
      after = page.next;
      more.hidden = !after;
    } catch (err) {
      if (!aborted(err)) footer.append(failure(err));
    }
    more.disabled = false;
  });
  return h('div', list, footer);
}

function errorPanel(i: Invocation, payload: Payload | undefined, events: readonly LogLine[]): HTMLElement {
  let trace: string[] = [];
  if (payload) {
    try {
      const body = JSON.parse(payload.response) as { stackTrace?: unknown };
      if (Array.isArray(body.stackTrace)) trace = body.stackTrace.map(String);
    } catch {
      // not JSON: shown as it is below
    }
  }
  const logged = events.filter((e) => (e.level === 'ERROR' || e.level === 'FATAL') && !e.message.startsWith('REPORT'));
  return h('section.panel.error-panel',
    h('h2', i.outcome === 'timeout' ? 'Timed out' : i.outcome === 'throttled' ? 'Throttled' : 'Error'),
    h('p.error-title', h('strong', i.errorType ?? i.outcome), i.errorMessage ? `: ${i.errorMessage}` : ''),
    trace.length ? h('pre.stack', trace.join('\n'))
      : logged.length ? [h('p.muted.small', 'Stack trace, as the runtime logged it:'), h('pre.stack', logged.map((e) => e.message).join('\n'))]
        : h('p.muted.small', 'No stack trace was logged.'));
}

function payloadPanels(i: Invocation | null, p: Payload | undefined): HTMLElement {
  if (!p) {
    return section('Event and result', empty('Not recorded',
      'Recording events and results is off by default. Switch it on for this function to see them here:',
      `lambkin deploy <path> --name ${i?.functionName ?? '<function>'} --record-payloads`));
  }
  return h('div.columns',
    section('Event', h('pre.json', pretty(p.event))),
    section(i?.outcome === 'success' ? 'Result' : 'Response', h('pre.json', pretty(p.response)), p.truncated && h('p.muted.small', 'Cut to 64 KiB.')));
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
