// Event invocations (X-Amz-Invocation-Type: Event), for now in memory: accepted, then run in the
// background one after another per function, with Lambda's two retries on failure. Not durable
// yet — a server restart loses queued events (the lifecycle issue makes the queue durable).
import type { FunctionRecord } from '../registry/types.js';
import { functionArn } from '../registry/arn.js';
import { Scheduler, Throttled } from './scheduler.js';

const RETRY_DELAYS_MS = [60_000, 120_000];

export class AsyncInvoker {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly scheduler: Scheduler, private readonly log: (line: string) => void) {}

  enqueue(fn: FunctionRecord, payload: Buffer, requestId: string): void {
    const run = this.run(fn, payload, requestId).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async run(fn: FunctionRecord, payload: Buffer, requestId: string): Promise<void> {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length && !this.closed; attempt++) {
      try {
        const result = await this.scheduler.invoke(fn, {
          requestId, payload, invokedArn: functionArn(fn.config.name), tail: false,
        });
        if (result.ok) return;
      } catch (err) {
        if (!(err instanceof Throttled)) throw err;
      }
      if (attempt < RETRY_DELAYS_MS.length) await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]).unref());
    }
    this.log(`lambkin: async invocation ${requestId} of ${fn.config.name} failed after all retries`);
  }
}
