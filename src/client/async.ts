// lambkin's async-queue API (GET/POST /lambkin/v1/…, README "Asynchronous invocations") as typed
// methods: the queue's depth, a function's dead letters, and re-driving them.
import type { Transport } from './transport.js';

export interface QueueDepthView {
  readonly queued: number;
  readonly running: number;
  readonly functions: readonly { readonly name: string; readonly queued: number; readonly running: number; readonly deadLetters: number }[];
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

  async deadLetters(functionName: string): Promise<readonly DeadLetterView[]> {
    const out = await this.http.json<{ deadLetters: DeadLetterView[] }>('GET', `${BASE}/functions/${encodeURIComponent(functionName)}/dead-letters`);
    return out.deadLetters;
  }

  /** Put the function's dead letters back in the queue; resolves with how many were. */
  async redrive(functionName: string): Promise<number> {
    const out = await this.http.json<{ redriven: number }>('POST', `${BASE}/functions/${encodeURIComponent(functionName)}/dead-letters/redrive`, {});
    return out.redriven;
  }
}
