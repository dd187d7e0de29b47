// Who is told of each stored batch (LogReader.onWritten), the same for every store: each call adds
// an entry of its own (the same listener added twice is told twice), unsubscribing twice is
// harmless, a listener that throws is logged and the others are still told, and `prompt` listeners
// (open live tails) are counted so that the store writes within PROMPT_FLUSH_MS while one is there.
import { PROMPT_FLUSH_MS, type WrittenOptions } from './store.js';
import type { Batch } from './write-queue.js';

export class WrittenListeners {
  private readonly entries = new Set<(batch: Batch) => void>();
  private prompts = 0;

  /** `firstPrompt`: the first prompt listener arrived; a store shortens a pending write's timer. */
  constructor(private readonly log: (line: string) => void, private readonly firstPrompt: () => void) {}

  add(listener: (batch: Batch) => void, options?: WrittenOptions): () => void {
    const entry = (batch: Batch): void => listener(batch);
    this.entries.add(entry);
    if (options?.prompt && this.prompts++ === 0) this.firstPrompt();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.entries.delete(entry);
      if (options?.prompt) this.prompts--;
    };
  }

  /** How long queued lines may wait: `usual`, or less while a prompt listener is registered. */
  delay(usual: number): number {
    return this.prompts > 0 ? Math.min(usual, PROMPT_FLUSH_MS) : usual;
  }

  emit(batch: Batch): void {
    for (const listener of this.entries) {
      try {
        listener(batch);
      } catch (err) {
        this.log(`lambkin: a log listener failed: ${(err as Error).message}`);
      }
    }
  }
}
