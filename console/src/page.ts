// What a page gets: its root element, the route's parameters, the query string, and a signal
// that aborts when the user leaves the page (pending fetches, streams and timers stop with it).
export interface PageContext {
  readonly root: HTMLElement;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly signal: AbortSignal;
}

export type Page = (ctx: PageContext) => void | Promise<void>;

/** Run `fn` every `ms` while the page is open (and the tab visible). */
export function every(ms: number, signal: AbortSignal, fn: () => void | Promise<void>): void {
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void fn();
  }, ms);
  signal.addEventListener('abort', () => clearInterval(timer));
}

export const aborted = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError';
