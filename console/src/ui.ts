// Small pieces every page uses: loading, empty and error states, the window picker, outcome badges.
import { clear, h } from './dom.js';
import { setQuery } from './nav.js';
import type { Outcome, WindowName } from './types.js';

export const WINDOWS: readonly WindowName[] = ['15m', '1h', '24h', '7d'];
const WINDOW_LABELS: Record<WindowName, string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours', '7d': '7 days' };

export function loading(what: string): HTMLElement {
  return h('p.state.loading', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), `Loading ${what}…`);
}

/** An empty state that says what to do, with an optional command to copy. */
export function empty(title: string, hint?: string, command?: string): HTMLElement {
  return h('div.state.empty', h('p.title', title), hint && h('p.muted', hint), command && h('pre.command', h('code', command)));
}

export function failure(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h('div.state.error', { role: 'alert' }, h('p.title', 'Something went wrong'), h('p', message));
}

export function windowPicker(current: WindowName, onChange: (w: WindowName) => void): HTMLElement {
  return h('div.segmented', { role: 'radiogroup', 'aria-label': 'Time window' },
    WINDOWS.map((w) => h('button', {
      type: 'button', role: 'radio', 'aria-checked': String(w === current), class: w === current ? 'on' : '',
      dataset: { window: w }, onclick: () => onChange(w),
    }, WINDOW_LABELS[w])));
}

/**
 * A page's time window: the URL's `window` (else `fallback`), with its picker drawn in `into`. A
 * pick goes into the URL, redraws the picker and calls `changed`; `current` is the window in force.
 */
export function windowControl(query: URLSearchParams, fallback: WindowName, into: HTMLElement, changed: () => void): { readonly current: WindowName } {
  const asked = query.get('window') ?? '';
  const state = { current: (WINDOWS as readonly string[]).includes(asked) ? (asked as WindowName) : fallback };
  const draw = () => clear(into, windowPicker(state.current, (w) => {
    state.current = w;
    setQuery({ window: w });
    draw();
    changed();
  }));
  draw();
  return state;
}

export function outcomeBadge(outcome: Outcome | string): HTMLElement {
  return h('span.badge', { class: `o-${outcome}` }, outcome);
}

export function link(href: string, ...children: (string | Node)[]): HTMLAnchorElement {
  return h('a', { href, 'data-nav': '' }, ...children);
}

export function section(title: string, ...children: (Node | string | false | undefined)[]): HTMLElement {
  return h('section.panel', h('h2', title), ...children);
}

export function kv(rows: [string, Node | string | number | undefined][]): HTMLElement {
  return h('dl.kv', rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [h('dt', k), h('dd', v as Node | string)]));
}
