// Keeps the rollup fed: every record the log store writes from now on, plus one pass over the
// records of the last 8 days already stored, a page at a time with the event loop given back in
// between (a million records take several seconds; the server serves meanwhile, and the console
// API says `complete: false` until the pass is done). A record written
// during that pass may be read by it too: the ones that came through the hook are remembered
// until the pass ends, and skipped when the pass meets them.
import type { Batch, LogReader } from '../../logs/index.js';
import { RESOLUTIONS, type Rollup } from './rollup.js';

const PAGE = 5000;

export interface Feed {
  /** Settles once the start-up pass is done (the console's numbers are complete from then on). */
  readonly ready: Promise<void>;
  readonly loadedRecords: () => number;
  /** False until the start-up pass is done: numbers are partial until then. */
  readonly complete: () => boolean;
  close(): void;
}

export function feedRollup(store: LogReader, rollup: Rollup, log: (line: string) => void): Feed {
  let seen: Set<string> | undefined = new Set();
  let loaded = 0;
  let closed = false;
  let complete = false;
  const unsubscribe = store.onWritten((batch: Batch) => {
    for (const r of batch.records) {
      seen?.add(r.requestId);
      rollup.add(r);
    }
  }, { recordsOnly: true });
  const ready = (async () => {
    const started = performance.now();
    const since = Date.now() - RESOLUTIONS[RESOLUTIONS.length - 1]!.keepMs;
    let token: string | undefined;
    while (!closed) {
      const page = await store.scanRecords({ since, limit: PAGE, token });
      for (const r of page.records) if (!seen!.has(r.requestId)) rollup.add(r);
      loaded += page.records.length;
      token = page.nextToken;
      if (token === undefined) break;
      await new Promise((r) => setImmediate(r));
    }
    seen = undefined;
    complete = true;
    if (loaded >= 100_000) log(`lambkin: console: read ${loaded} invocation records in ${Math.round(performance.now() - started)} ms`);
  })().catch((err: unknown) => {
    seen = undefined;
    complete = true;
    if (!closed) log(`lambkin: console: could not read the stored invocation records: ${(err as Error).message}`);
  });
  return {
    ready,
    loadedRecords: () => loaded,
    complete: () => complete,
    close: () => {
      closed = true;
      unsubscribe();
    },
  };
}
