// Turning a runtime's output into log events: stdout and stderr line by line, and the framed
// telemetry pipe (one frame = one event, so multi-line messages stay whole). Hostile output is
// bounded here: an event is cut at MAX_EVENT_BYTES, and a frame announcing gigabytes is skipped
// as it streams, never buffered.
import type { Readable } from 'node:stream';
import type { LogLevel } from '../logs/types.js';

export const MAX_EVENT_BYTES = 256 * 1024;
const FRAME_HEADER = 16;
const FRAME_MAGIC = 0xa55a0000; // 0xa55a00XX: text (03), JSON (02), with level bits in newer clients

export type EmitLog = (message: string, level: LogLevel | undefined, fromFrame: boolean) => void;

/** stdout/stderr: one event per line; a line longer than the cap is cut into events of the cap. */
export function captureLines(stream: Readable, level: LogLevel, emit: EmitLog): void {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = (upTo?: Buffer) => {
    if (upTo) pending.push(upTo);
    const line = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    pendingSize = 0;
    // A CRLF line loses its CR before decoding (no regex, no second string per line).
    const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    emit(line.toString('utf8', 0, end), level, false);
  };
  // The common case, a whole line inside one chunk: decoded straight from the chunk.
  const emitLine = (chunk: Buffer, start: number, end: number) => {
    if (end > start && chunk[end - 1] === 13) end--;
    emit(chunk.toString('utf8', start, end), level, false);
  };
  stream.on('data', (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (pending.length === 0) emitLine(chunk, start, nl);
      else flush(chunk.subarray(start, nl));
      start = nl + 1;
    }
    let rest = chunk.subarray(start);
    while (pendingSize + rest.length > MAX_EVENT_BYTES) {
      const room = MAX_EVENT_BYTES - pendingSize;
      flush(rest.subarray(0, room));
      rest = rest.subarray(room);
    }
    if (rest.length) {
      pending.push(Buffer.from(rest)); // copy: the chunk's memory may be reused
      pendingSize += rest.length;
    }
  });
  stream.on('end', () => {
    if (pendingSize) flush();
  });
  stream.on('error', () => undefined);
}

/** The telemetry pipe: frames of [u32 type][u32 length][u64 µs timestamp][payload]. */
export function captureFrames(stream: Readable, emit: EmitLog, onGarbage: (bytes: number) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  let skip = 0; // bytes of an oversized payload still to discard
  stream.on('data', (chunk: Buffer) => {
    if (skip) {
      const n = Math.min(skip, chunk.length);
      skip -= n;
      chunk = chunk.subarray(n);
    }
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= FRAME_HEADER) {
      const type = buf.readUInt32BE(0);
      if ((type & 0xffff0000) >>> 0 !== FRAME_MAGIC >>> 0) {
        // Not a frame: the stream is out of sync. Drop it all rather than guess.
        onGarbage(buf.length);
        buf = Buffer.alloc(0);
        return;
      }
      const length = buf.readUInt32BE(4);
      const kept = Math.min(length, MAX_EVENT_BYTES);
      if (buf.length < FRAME_HEADER + kept) break;
      emit(payloadText(buf.subarray(FRAME_HEADER, FRAME_HEADER + kept)), undefined, true);
      const consumed = Math.min(buf.length, FRAME_HEADER + length);
      skip = FRAME_HEADER + length - consumed;
      if (length > kept) onGarbage(length - kept);
      buf = buf.subarray(consumed);
      if (skip) break;
    }
    if (buf.length) buf = Buffer.from(buf); // don't pin a large chunk for a few bytes
  });
  stream.on('error', () => undefined);
}

function payloadText(payload: Buffer): string {
  const end = payload.length > 0 && payload[payload.length - 1] === 10 ? payload.length - 1 : payload.length;
  return payload.toString('utf8', 0, end);
}

const NODE_LEVEL = /^[^\t]*\t[^\t]*\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;
const PYTHON_LEVEL = /^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t/;
const PYTHON_MAP: Record<string, LogLevel> = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARN', ERROR: 'ERROR', CRITICAL: 'FATAL' };

/** The level a runtime wrote into a formatted line (Node's or Python's format), if any. */
export function levelOf(message: string): LogLevel | undefined {
  const node = NODE_LEVEL.exec(message);
  if (node) return node[1] as LogLevel;
  const py = PYTHON_LEVEL.exec(message);
  return py ? PYTHON_MAP[py[1]!] : undefined;
}
