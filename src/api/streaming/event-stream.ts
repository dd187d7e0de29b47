// InvokeWithResponseStream's wire format: `application/vnd.amazon.eventstream` messages (prelude,
// headers, payload, CRC32s), encoded by the AWS SDK's own codec (@smithy/core) — the same code that
// decodes them in the SDK, so both sides frame and checksum alike. Event names as in Lambda's model:
// `PayloadChunk` {Payload} and `InvokeComplete` {ErrorCode, ErrorDetails, LogResult}. The Logs API's
// StartLiveTail frames its `sessionStart` / `sessionUpdate` events and its exceptions alike.
import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text: string) => Buffer.from(text, 'utf8'),
);

export const EVENT_STREAM_TYPE = 'application/vnd.amazon.eventstream';

/** One event message of type `type` (its name in the service's model) carrying `body`. */
export function event(type: string, contentType: string, body: Uint8Array): Buffer {
  const bytes = codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: contentType },
      ':message-type': { type: 'string', value: 'event' },
    },
    body,
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One PayloadChunk event carrying `chunk` as its payload. */
export function payloadChunk(chunk: Buffer): Buffer {
  return event('PayloadChunk', 'application/octet-stream', chunk);
}

export interface InvokeCompleteFields {
  readonly ErrorCode?: string;
  readonly ErrorDetails?: string;
  readonly LogResult?: string;
}

/** The InvokeComplete event that ends every stream. */
export function invokeComplete(fields: InvokeCompleteFields): Buffer {
  return event('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(fields)));
}

/** An exception message (e.g. SessionTimeoutException): the SDK throws it from the stream's iterator. */
export function exception(type: string, message: string): Buffer {
  const bytes = codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: Buffer.from(JSON.stringify({ message })),
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
