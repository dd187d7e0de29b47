// lambkin's async-queue API (GET/POST /lambkin/v1/…, README "Asynchronous invocations") as typed
// methods: the queue's depth, a function's dead letters, and re-driving them.
import type { DeadLetterPageView, QueueDepthView } from '../wire.js';
import type { Transport } from './transport.js';

// The answers' shapes are the server's own (wire.ts).
export type { DeadLetterPageView, DeadLetterView, QueueDepthView } from '../wire.js';

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
