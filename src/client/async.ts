// lambkin's async-queue API (GET/POST /lambkin/v1/…, README "Asynchronous invocations") as typed
// methods: the queue's depth, a function's dead letters, and re-driving them.
import type { Transport } from './transport.js';

export interface QueueDepthView {
  readonly queued: number;
  readonly running: number;
  readonly functions: readonly {
    readonly name: string;
    readonly queued: number;
    readonly running: number;
    readonly deadLetters: number;
    /** Dead letters removed, oldest first, to keep the list within the server's cap. */
    readonly deadLettersDropped?: number;
  }[];
}

export interface DeadLetterPageView {
  readonly deadLetters: readonly DeadLetterView[];
  /** Give it as `marker` for the next page; absent on the last one. */
  readonly nextMarker?: string;
}

export interface DeadLetterView {
  readonly requestId: string;
  readonly functionArn: string;
  /** RetriesExhausted | EventAgeExceeded */
  readonly condition: string;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly failedAt: number;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** The event, as it was sent. */
  readonly payload: string;
}

const BASE = '/lambkin/v1';

export class AsyncQueueClient {
  constructor(private readonly http: Transport) {}

  depth(functionName?: string): Promise<QueueDepthView> {
    return this.http.json('GET', `${BASE}/async-queue`, undefined, { function: functionName });
  }

  /** One page of the function's dead letters, oldest first. */
  deadLetters(functionName: string, page: { maxItems?: number; marker?: string } = {}): Promise<DeadLetterPageView> {
    return this.http.json('GET', `${BASE}/functions/${encodeURIComponent(functionName)}/dead-letters`, undefined, {
      maxItems: page.maxItems === undefined ? undefined : String(page.maxItems), marker: page.marker,
    });
  }

  /** Put the function's dead letters back in the queue; resolves with how many were. */
  async redrive(functionName: string): Promise<number> {
    const out = await this.http.json<{ redriven: number }>('POST', `${BASE}/functions/${encodeURIComponent(functionName)}/dead-letters/redrive`, {});
    return out.redriven;
  }
}
