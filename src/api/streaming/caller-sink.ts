// The caller's end of a streamed response (environment/response-stream.ts's ResponseSink): chunks
// arrive as the runtime sends them, each framed for the caller's protocol. They are held only
// until the caller's answer has started (its status must wait for the function's first byte or its
// result); a write returns false while held or while the caller's socket is behind, which pauses
// the runtime. A caller who has gone takes everything and keeps nothing.
import type { ResponseSink } from '../../scheduler/invocation.js';
import type { ResponseStream } from '../http.js';

export class CallerSink implements ResponseSink {
  contentType: string | undefined;
  /** Resolves when the runtime begins to stream. */
  readonly begun: Promise<void>;
  private markBegun!: () => void;
  private out: ResponseStream | undefined;
  private attached!: () => void;
  private readonly attaching: Promise<void>;
  private held: Buffer[] = [];
  private gone = false;

  constructor(private readonly frame: (chunk: Buffer) => Buffer) {
    this.begun = new Promise((resolve) => (this.markBegun = resolve));
    this.attaching = new Promise((resolve) => (this.attached = resolve));
  }

  begin(contentType: string): void {
    this.contentType = contentType;
    this.markBegun();
  }

  write(chunk: Buffer): boolean {
    if (this.gone) return true;
    if (!this.out) {
      this.held.push(this.frame(chunk));
      return false;
    }
    return this.out.write(this.frame(chunk));
  }

  drained(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return this.out ? this.out.drained() : this.attaching.then(() => this.drained());
  }

  /** The caller's answer has started: what was held goes out, and the rest as it comes. */
  attach(out: ResponseStream): void {
    out.onClose(() => {
      this.gone = true;
      this.attached();
    });
    for (const chunk of this.held) out.write(chunk);
    this.held = [];
    this.out = out;
    this.attached();
  }

  /** Whether the caller has gone (nothing more can reach it). */
  get closed(): boolean {
    return this.gone;
  }
}
