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

/**
 * The telemetry pipe: frames of [u32 type][u32 length][u64 µs timestamp][payload]. A frame within
 * one chunk is decoded from it in place; a longer one is copied once into a buffer of the part kept
 * (at most MAX_EVENT_BYTES) as it comes, and the rest of an oversized payload is skipped unread.
 */
export function captureFrames(stream: Readable, emit: EmitLog, onGarbage: (bytes: number) => void): void {
  let header: Buffer | undefined; // the first bytes of a header split between chunks
  let frame: Buffer | undefined; // the kept payload of a frame split between chunks
  let filled = 0;
  let skipAfter = 0; // bytes of an oversized payload past the kept part
  let skip = 0; // bytes still to discard
  stream.on('data', (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (skip) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      if (frame) {
        const n = Math.min(frame.length - filled, chunk.length - at);
        chunk.copy(frame, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === frame.length) {
          emit(payloadText(frame), undefined, true);
          frame = undefined;
          endFrame();
        }
        continue;
      }
      let h: Buffer;
      if (header || chunk.length - at < FRAME_HEADER) {
        const take = Math.min(FRAME_HEADER - (header?.length ?? 0), chunk.length - at);
        header = Buffer.concat([header ?? Buffer.alloc(0), chunk.subarray(at, at + take)]);
        at += take;
        if (header.length < FRAME_HEADER) break;
        h = header;
        header = undefined;
      } else {
        h = chunk.subarray(at, at + FRAME_HEADER);
        at += FRAME_HEADER;
      }
      if ((h.readUInt32BE(0) & 0xffff0000) >>> 0 !== FRAME_MAGIC >>> 0) {
        // Not a frame: the stream is out of sync. Drop what is here rather than guess.
        onGarbage(FRAME_HEADER + chunk.length - at);
        return;
      }
      const length = h.readUInt32BE(4);
      const kept = Math.min(length, MAX_EVENT_BYTES);
      skipAfter = length - kept;
      if (chunk.length - at >= kept) {
        emit(payloadText(chunk.subarray(at, at + kept)), undefined, true);
        at += kept;
        endFrame();
      } else {
        frame = Buffer.allocUnsafe(kept);
        filled = 0;
      }
    }
  });
  const endFrame = () => {
    skip = skipAfter;
    if (skipAfter) onGarbage(skipAfter);
  };
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
