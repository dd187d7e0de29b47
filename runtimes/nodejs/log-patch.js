// Logging inside the environment, as Lambda's Node.js runtime does it: console.log/info/warn/
// error/debug/trace become records `<ISO time>\t<request id>\t<LEVEL>\t<message>` (or one JSON
// object per record when AWS_LAMBDA_LOG_FORMAT=JSON). Each record is one frame on the telemetry
// pipe, so a multi-line message stays one log event:
//   u32 BE 0xa55a0003 (text) | 0xa55a0002 (JSON), u32 BE payload length, u64 BE µs since epoch, payload
// Without a telemetry fd, records go to stdout with inner newlines turned into \r (as Lambda does).
// process.stdout.write by user code is left alone: it stays plain stdout.
import { writeSync } from 'node:fs';
import { format } from 'node:util';

const FRAME_TEXT = 0xa55a0003;
const FRAME_JSON = 0xa55a0002;
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const METHODS = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
];
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

let requestId; // printed as "undefined" outside an invocation, as Lambda does
let fd = -1;
let json = false;

/** The current invocation's id, stamped on every record. */
export function setRequestId(id) {
  requestId = id;
}

/**
 * Take the telemetry fd from the environment (user code must not see it) and patch console.
 * @param {NodeJS.ProcessEnv} env
 */
export function installLogging(env) {
  const raw = env._LAMBDA_TELEMETRY_LOG_FD;
  delete env._LAMBDA_TELEMETRY_LOG_FD;
  const n = Number(raw);
  // fds above 2 are not passed to child processes by child_process unless asked for.
  fd = raw !== undefined && raw !== '' && Number.isInteger(n) && n > 2 ? n : -1;
  json = env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
  // Lambda filters by level only in JSON format, where the default level is INFO.
  const min = json ? Math.max(0, LEVELS.indexOf((env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase())) : 0;
  for (const [method, level] of METHODS) {
    console[method] = LEVELS.indexOf(level) >= min ? (...args) => emit(level, args) : () => {};
  }
}

/**
 * A record from the runtime itself, e.g. `Invoke Error` followed by the error as JSON.
 * @param {string} level
 * @param {string} label
 * @param {string} [detail] text format only: appended after a space, e.g. `\t{"errorType":…}`
 * @param {object} [fields] JSON format only: added to the record (errorType, errorMessage, stackTrace)
 */
export function logRuntimeRecord(level, label, detail = '', fields = {}) {
  const now = new Date();
  if (json) write(now, JSON.stringify({ timestamp: now.toISOString(), level, requestId, message: label, ...fields }));
  else write(now, `${now.toISOString()}\t${requestId}\t${level}\t${detail === '' ? label : `${label} ${detail}`}`);
}

function emit(level, args) {
  const now = new Date();
  if (!json) {
    write(now, `${now.toISOString()}\t${requestId}\t${level}\t${format(...args)}`);
    return;
  }
  const record = { timestamp: now.toISOString(), level, requestId, message: format(...args) };
  const err = args.find((a) => a instanceof Error);
  if (err !== undefined) {
    record.errorType = err.name;
    record.errorMessage = err.message;
    record.stackTrace = typeof err.stack === 'string' ? err.stack.split('\n') : [];
  }
  write(now, JSON.stringify(record));
}

function write(now, text) {
  if (fd < 0) {
    process.stdout.write(`${text.replaceAll('\n', '\r')}\n`);
    return;
  }
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(16 + length);
  const micros = now.getTime() * 1000;
  frame.writeUInt32BE(json ? FRAME_JSON : FRAME_TEXT, 0);
  frame.writeUInt32BE(length, 4);
  frame.writeUInt32BE(Math.floor(micros / 0x100000000), 8);
  frame.writeUInt32BE(micros % 0x100000000, 12);
  frame.write(text, 16, length, 'utf8');
  writeAll(frame);
}

/** One write in the normal case; loops on short writes and a full non-blocking pipe. */
function writeAll(buf) {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if (err.code !== 'EAGAIN') return; // the host is gone: drop the record, never throw into user code
      Atomics.wait(SLEEP, 0, 0, 1);
    }
  }
}
