// `lambkin dev` prints each invocation of its functions as it completes — function, request id,
// cold or warm, duration, outcome, the first line of an error — and with --tail its log lines.
// It polls the investigation API (GET /lambkin/v1/invocations, newest first) a few times a second
// and prints the records it has not printed yet, oldest first.
import type { InvocationRecordView, LambkinClient } from '../../client/index.js';

const POLL_MS = 250;
/** How far back a poll looks: longer than any invocation runs (900 s timeout). */
const WINDOW_MS = 16 * 60_000;
const PAGE = 200;

function clockOf(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

export function invocationLine(r: InvocationRecordView): string {
  const init = r.cold && r.initMs !== undefined ? `, init ${Math.round(r.initMs)} ms` : '';
  const error = r.outcome === 'success' ? '' : ` ${[r.errorType, (r.errorMessage ?? '').split('\n')[0]].filter(Boolean).join(': ')}`;
  return `${clockOf(r.startedAt)} ${r.functionName} ${r.requestId.slice(0, 8)} ${r.cold ? 'cold' : 'warm'} ${Math.round(r.durationMs)} ms${init} ${r.outcome}${error}`.trimEnd();
}

export class InvocationPrinter {
  private readonly seen = new Map<string, number>();
  private readonly since = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: LambkinClient,
    /** The functions of the session (they change when the template does). */
    private readonly names: () => ReadonlySet<string>,
    private readonly say: (line: string) => void,
    private readonly tail: boolean,
  ) {}

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      const page = await this.client.investigate.invocations({ since: Math.max(this.since, Date.now() - WINDOW_MS), limit: PAGE });
      const names = this.names();
      const fresh = page.invocations.filter((r) => names.has(r.functionName) && !this.seen.has(r.requestId)).reverse();
      for (const r of fresh) {
        this.seen.set(r.requestId, r.startedAt);
        this.say(invocationLine(r));
        if (this.tail) await this.printLog(r.requestId);
      }
      this.forget();
    } catch {
      // The server is restarting, or busy: the next poll tries again (nothing is lost in the window).
    }
    this.schedule();
  }

  private async printLog(requestId: string): Promise<void> {
    let after: string | undefined;
    do {
      const page = await this.client.investigate.invocation(requestId, { after });
      for (const e of page.events) if (e.level !== 'PLATFORM') this.say(`    ${e.message.replace(/\n$/, '')}`);
      after = page.next;
    } while (after !== undefined);
  }

  /** Request ids older than the window can no longer come back: drop them. */
  private forget(): void {
    const oldest = Date.now() - WINDOW_MS;
    for (const [id, at] of this.seen) if (at < oldest) this.seen.delete(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
