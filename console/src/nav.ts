// Moving between pages without reloading: history.pushState, and a listener the shell installs.
let listener: (() => void) | undefined;

export const BASE = '/console';

export function onNavigate(fn: () => void): void {
  listener = fn;
  window.addEventListener('popstate', fn);
  // Links marked data-nav stay in the app (a middle click or ctrl-click still opens a new tab).
  document.addEventListener('click', (e) => {
    const a = (e.target as Element).closest?.('a[data-nav]') as HTMLAnchorElement | null;
    if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(a.getAttribute('href')!);
  });
}

export function go(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  listener?.();
}

/** Update the query string of the current page (filters) without a new page. */
export function setQuery(params: Record<string, string | undefined>): void {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  history.replaceState(null, '', url.pathname + url.search);
}

export const path = (p: string): string => `${BASE}${p}`;
