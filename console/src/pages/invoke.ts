// Invoke: a function, a JSON event (checked as it is typed: the error says where), and the
// answer: the result or the error, the log lines (Lambda's LogType Tail) and the REPORT numbers.
// Ctrl/⌘+Enter invokes. The last event per function is remembered in this tab.
import { fetchApi } from '../api.js';
import { clear, h } from '../dom.js';
import { ms } from '../format.js';
import * as api from '../lambda.js';
import { path, setQuery } from '../nav.js';
import type { Page } from '../page.js';
import { empty, failure, kv, link, section } from '../ui.js';

export const invokePage: Page = async ({ root, query, signal }) => {
  const names = await api.listFunctions(signal).then((f) => f.map((x) => x.FunctionName)).catch(() => [] as string[]);
  if (names.length === 0) {
    clear(root, h('header.page-head', h('h1', 'Invoke')), empty('No functions yet — run `lambkin deploy examples/hello-python`', 'Then invoke it from here.', 'lambkin deploy examples/hello-python'));
    return;
  }
  const wanted = query.get('function');
  const fnSelect = h('select', { name: 'function' }, names.map((n) => h('option', { value: n, selected: n === wanted }, n)));
  const editor = h('textarea.code', { name: 'event', rows: 10, spellcheck: 'false', 'aria-label': 'Event (JSON)', 'aria-describedby': 'json-status' });
  const check = h('p#json-status.json-status', { 'aria-live': 'polite' });
  const format = h('button', { type: 'button' }, 'Format');
  const submit = h('button.primary', { type: 'submit' }, 'Invoke');
  const out = h('div', h('div.state.empty', h('p.title', 'Nothing invoked yet'), h('p.muted', 'The result, the log lines and the REPORT line appear here.')));
  const form = h('form.invoke', h('label', 'Function', fnSelect), h('label.editor', 'Event (JSON)', editor), check, h('div.buttons', submit, format, h('span.muted.small', 'Ctrl+Enter')));
  clear(root, h('header.page-head', h('h1', 'Invoke')), h('div.columns.invoke-layout', section('Request', form), h('div', out)));

  const remembered = (fn: string) => sessionStorage.getItem(`lambkin.event.${fn}`) ?? '{\n  "name": "lambkin"\n}';
  editor.value = remembered(fnSelect.value);
  const validate = (): boolean => {
    const text = editor.value.trim() === '' ? '{}' : editor.value;
    try {
      JSON.parse(text);
      check.textContent = '✓ valid JSON';
      check.className = 'json-status ok';
      editor.setAttribute('aria-invalid', 'false');
      submit.disabled = false;
      return true;
    } catch (err) {
      check.textContent = `✗ ${where(editor.value, (err as Error).message)}`;
      check.className = 'json-status bad';
      editor.setAttribute('aria-invalid', 'true');
      submit.disabled = true;
      return false;
    }
  };
  validate();
  editor.addEventListener('input', validate);
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    } else if (e.key === 'Tab' && !e.shiftKey) {
      // Two spaces, as in a code editor (Esc then Tab leaves the field).
      e.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
    }
  });
  format.addEventListener('click', () => {
    if (validate()) editor.value = JSON.stringify(JSON.parse(editor.value || '{}'), null, 2);
  });
  fnSelect.addEventListener('change', () => {
    setQuery({ function: fnSelect.value });
    editor.value = remembered(fnSelect.value);
    validate();
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!validate()) return;
    const fn = fnSelect.value;
    const body = editor.value.trim() === '' ? '{}' : editor.value;
    sessionStorage.setItem(`lambkin.event.${fn}`, editor.value);
    submit.disabled = true;
    submit.textContent = 'Invoking…';
    clear(out, h('p.state.loading', h('span.spinner'), `Invoking ${fn}…`));
    const started = performance.now();
    try {
      const res = await fetchApi(`/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`, {
        method: 'POST', body, headers: { 'x-amz-log-type': 'Tail' }, signal,
      });
      const result = await res.text();
      const log = decodeTail(res.headers.get('x-amz-log-result'));
      show(out, {
        fn, requestId: res.headers.get('x-amzn-requestid') ?? '', error: res.headers.get('x-amz-function-error'), version: res.headers.get('x-amz-executed-version'),
        result, log, roundTrip: performance.now() - started,
      });
    } catch (err) {
      clear(out, failure(err));
    } finally {
      submit.disabled = false;
      submit.textContent = 'Invoke';
    }
  });
};

function show(out: HTMLElement, r: { fn: string; requestId: string; error: string | null; version: string | null; result: string; log: string; roundTrip: number }): void {
  const report = /REPORT RequestId: \S+\s+Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms\s+Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB(?:\s+Init Duration: ([\d.]+) ms)?/.exec(r.log);
  let pretty = r.result;
  try {
    pretty = JSON.stringify(JSON.parse(r.result), null, 2);
  } catch {
    // shown as it came
  }
  clear(out,
    section(r.error ? `Error (${r.error})` : 'Result',
      h('pre.json', { class: r.error ? 'bad' : 'ok' }, pretty),
      h('p.small', link(path(`/invocations/${r.requestId}`), 'Open this invocation →'), ` · version ${r.version ?? '?'} · ${ms(r.roundTrip)} round trip`)),
    report ? section('REPORT', kv([
      ['Duration', `${report[1]} ms`], ['Billed duration', `${report[2]} ms`], ['Memory', `${report[4]} MB used of ${report[3]} MB`],
      ['Init duration', report[5] ? `${report[5]} ms (cold start)` : 'warm start'],
    ])) : undefined,
    section('Log (last 4 KB)', r.log ? h('pre.logtext', r.log) : h('p.muted', 'No log lines.')));
}

function decodeTail(b64: string | null): string {
  if (!b64) return '';
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** "Unexpected token } in JSON at position 12" → "… (line 2, column 3)". */
function where(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} (line ${line}, column ${col})`;
}
