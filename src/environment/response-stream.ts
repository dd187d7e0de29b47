// A response the runtime streams (`Lambda-Runtime-Function-Response-Mode: streaming`): its chunks
// go to the caller's sink as they arrive when the caller streams (InvokeWithResponseStream, a
// function URL in RESPONSE_STREAM mode), or are collected into one body for a buffered caller.
// Bounded either way: a streaming caller gets at most 20 MB, a buffered one the usual 6 MB, and a
// slow caller pauses the runtime's socket (the caller's `write` says when) instead of having lambkin
// buffer what it cannot take.
import { MAX_RESPONSE_BYTES } from './runtime-api/host.js';

/** Lambda's limit for a streamed response: 20 MiB. */
export const MAX_STREAMED_RESPONSE_BYTES = 20 * 1024 * 1024;

/** Where a streaming caller takes the chunks. */
export interface ResponseSink {
  /** The runtime began its streamed response, with this Content-Type. */
  begin(contentType: string): void;
  /** One chunk, as it arrived. False when the caller is behind: no more until `drained` resolves. */
  write(chunk: Buffer): boolean;
  /** Resolves once the caller has taken what it was given, or has gone. */
  drained(): Promise<void>;
}

/** What happened to one chunk: taken ('more' or 'wait' for the caller), or past the limit. */
export type ChunkVerdict = 'more' | 'wait' | 'too-large';

export class StreamedResponse {
  private size = 0;
  private readonly collected: Buffer[] = [];

  constructor(private readonly sink: ResponseSink | undefined, contentType: string) {
    sink?.begin(contentType);
  }

  get limit(): number {
    return this.sink ? MAX_STREAMED_RESPONSE_BYTES : MAX_RESPONSE_BYTES;
  }

  get bytes(): number {
    return this.size;
  }

  chunk(chunk: Buffer): ChunkVerdict {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.collected.length = 0;
      return 'too-large';
    }
    if (!this.sink) {
      this.collected.push(chunk);
      return 'more';
    }
    return this.sink.write(chunk) ? 'more' : 'wait';
  }

  drained(): Promise<void> {
    return this.sink ? this.sink.drained() : Promise.resolve();
  }

  /** What a buffered caller gets: the whole body; a streaming caller has had it already. */
  body(): Buffer {
    return this.collected.length === 1 ? this.collected[0]! : Buffer.concat(this.collected);
  }
}
