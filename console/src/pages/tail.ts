// Live tail: new log lines of one function or all of them as they are stored, filtered by level
// and text on the server (GET /lambkin/v1/tail, server-sent events read through a signed fetch).
import { fetchApi } from '../api.js';
import { clear, h } from '../dom.js';
import { time } from '../format.js';
import * as api from '../lambda.js';
import { path, setQuery } from '../nav.js';
import { aborted, type Page } from '../page.js';
import type { LogLine } from '../types.js';

const MAX_LINES = 2000;
const LEVELS: [string, string][] = [['', 'All lines'], ['WARN,ERROR,FATAL', 'Warnings and errors'], ['ERROR,FATAL', 'Errors'], ['PLATFORM', 'START / END / REPORT']];

export const tailPage: Page = async ({ root, query, signal }) => {
  const fnSelect = h('select', { name: 'function' }, h('option', { value: '' }, 'All functions'));
  const level = h('select', { name: 'level' }, LEVELS.map(([v, l]) => h('option', { value: v, selected: v === (query.get('level') ?? '') }, l)));
  const text = h('input', { name: 'q', type: 'search', placeholder: 'text the line contains', value: query.get('q') ?? '', spellcheck: 'false' });
  const status = h('span.status', { role: 'status' }, 'Connecting…');
  const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  const clearBtn = h('button', { type: 'button' }, 'Clear');
  const list = h('ol.log.live', { 'aria-live': 'off' });
  const emptyNote = h('p.state.muted', 'Waiting for log lines… invoke the function to see them here.');
  const form = h('form.filters', { onsubmit: (e: Event) => e.preventDefault() },
    h('label', 'Function', fnSelect), h('label', 'Level', level), h('label.grow', 'Text', text), h('div.buttons', pause, clearBtn));
  clear(root, h('header.page-head', h('h1', 'Live tail'), status), form, emptyNote, list);

  const wanted = query.get('function') ?? '';
  const names = await api.listFunctions(signal).then((f) => f.map((x) => x.FunctionName)).catch(() => [] as string[]);
  for (const n of names) fnSelect.append(h('option', { value: n, selected: n === wanted }, n));

  let paused = false;
  let held: LogLine[] = [];
  let conn = new AbortController();
  signal.addEventListener('abort', () => conn.abort());

  const show = (lines: LogLine[]) => {
    if (lines.length === 0) return;
    emptyNote.hidden = true;
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    for (const e of lines) {
      list.append(h('li', { class: `lv-${(e.level ?? 'none').toLowerCase()}` },
        h('time', time(e.timestamp).slice(11)),
        h('span.fn', e.functionName ?? ''),
        h('span.level', e.level ?? ''),
        h('pre', e.message),
        e.requestId ? h('a', { href: path(`/invocations/${e.requestId}`), 'data-nav': '', title: 'Open the invocation', 'aria-label': 'Open the invocation' }, '↗') : h('span')));
    }
    while (list.childElementCount > MAX_LINES) list.firstElementChild!.remove();
    if (atBottom) window.scrollTo(0, document.body.scrollHeight);
  };

  const connect = async () => {
    conn.abort();
    conn = new AbortController();
    const s = conn.signal;
    const params = { function: fnSelect.value || undefined, level: level.value || undefined, q: text.value.trim() || undefined };
    setQuery(params);
    let delay = 1000;
    while (!s.aborted) {
      try {
        status.textContent = 'Connecting…';
        status.className = 'status';
        const res = await fetchApi('/lambkin/v1/tail', { query: params, signal: s, headers: { accept: 'text/event-stream' } });
        await read(res, s, (event, data) => {
          if (event === 'ready') {
            status.textContent = `Live${params.function ? ` · ${params.function}` : ' · all functions'}`;
            status.className = 'status live';
            delay = 1000;
          } else if (event === 'log') {
            const line = JSON.parse(data) as LogLine;
            if (paused) held.push(line);
            else show([line]);
          } else if (event === 'dropped') {
            show([{ timestamp: Date.now(), logStream: '', level: 'WARN', message: `lambkin: ${(JSON.parse(data) as { lines: number }).lines} lines skipped (the page could not keep up)` }]);
          }
        });
      } catch (err) {
        if (aborted(err) || s.aborted) return;
        status.textContent = `Disconnected (${(err as Error).message}) — retrying`;
        status.className = 'status bad';
      }
      if (s.aborted) return;
      status.textContent = 'Disconnected — retrying';
      status.className = 'status bad';
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(15_000, delay * 2);
    }
  };

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      show(held);
      held = [];
    }
  });
  clearBtn.addEventListener('click', () => {
    list.replaceChildren();
    emptyNote.hidden = false;
  });
  fnSelect.addEventListener('change', () => void connect());
  level.addEventListener('change', () => void connect());
  let typing: ReturnType<typeof setTimeout> | undefined;
  text.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void connect(), 400);
  });
  void connect();
};

/** Read a text/event-stream body, calling `on` for each event until it ends. */
async function read(res: Response, signal: AbortSignal, on: (event: string, data: string) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined));
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let cut: number;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) on(event, data.join('\n'));
    }
  }
}
