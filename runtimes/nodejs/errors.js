// Errors as Lambda's Node.js runtime reports them: the body posted to /error, and the JSON that
// follows `Invoke Error` / `Uncaught Exception` in the log.
import { types } from 'node:util';
import { fileURLToPath } from 'node:url';

// Frames of this runtime are platform detail, not the user's: they are left out of traces.
const OWN_URL = new URL('./', import.meta.url).href;
const OWN_PATH = fileURLToPath(OWN_URL);
const FRAME = /^\s+at /;

/** An error the runtime raises itself; its name is the Lambda error type, e.g. Runtime.HandlerNotFound. */
export class RuntimeError extends Error {
  /**
   * @param {string} errorType
   * @param {string} message
   * @param {string[]} [trace] what the user needs to find the fault (e.g. a syntax error's location)
   */
  constructor(errorType, message, trace = []) {
    super(message);
    Object.defineProperty(this, 'name', { value: errorType, enumerable: false, writable: true, configurable: true });
    this.stack = [`${errorType}: ${message}`, ...trace].join('\n'); // the runtime's own frames are no use to anyone
    Object.defineProperty(this, 'trace', { value: trace, enumerable: false });
  }
}

function isError(value) {
  return (
    types.isNativeError(value) ||
    (value != null &&
      typeof value.name === 'string' &&
      typeof value.message === 'string' &&
      typeof value.stack === 'string')
  );
}

/** The `at …` lines of a stack, without this runtime's own frames. */
function stackFrames(stack) {
  if (typeof stack !== 'string') return [];
  const lines = stack.split('\n');
  const first = lines.findIndex((line) => FRAME.test(line));
  if (first < 0) return [];
  return lines.slice(first).filter((line) => !line.includes(OWN_URL) && !line.includes(OWN_PATH));
}

/** The whole stack as lines (Lambda logs it with its header line), without this runtime's frames. */
function stackLines(stack) {
  if (typeof stack !== 'string') return [];
  return stack.split('\n').filter((line) => !(FRAME.test(line) && (line.includes(OWN_URL) || line.includes(OWN_PATH))));
}

/**
 * The body posted to /invocation/{id}/error or /init/error.
 * A thrown non-Error is reported by its type (`throw "x"` → errorType "string"), as Lambda does.
 * @returns {{ errorType: string, errorMessage: string, stackTrace: string[] }}
 */
export function toErrorResponse(err) {
  try {
    if (isError(err)) {
      return {
        errorType: errorTypeOf(err),
        errorMessage: typeof err.message === 'string' ? err.message : String(err.message ?? ''),
        stackTrace: err instanceof RuntimeError ? err.trace : stackFrames(err.stack),
      };
    }
    return { errorType: typeof err, errorMessage: String(err), stackTrace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      stackTrace: [],
    };
  }
}

function errorTypeOf(err) {
  if (typeof err.name === 'string' && err.name !== '') return err.name;
  const ctor = err.constructor?.name;
  return typeof ctor === 'string' && ctor !== '' ? ctor : 'Error';
}

/**
 * The detail Lambda logs after `Invoke Error` in text format: a tab, then the error as JSON with
 * errorType, errorMessage, its own enumerable fields (code, …) and `stack` as lines.
 */
export function toLoggedError(err) {
  if (!isError(err)) {
    const r = toErrorResponse(err); // a thrown string, object…: logged in the same shape
    return `\t${JSON.stringify({ errorType: r.errorType, errorMessage: r.errorMessage, stack: [] })}`;
  }
  try {
    return `\t${JSON.stringify(err, (_key, value) => (isError(value) ? withFields(value) : value))}`;
  } catch {
    const r = toErrorResponse(err);
    return `\t${JSON.stringify({ errorType: r.errorType, errorMessage: r.errorMessage, stack: r.stackTrace })}`;
  }
}

function withFields(err) {
  const fields = { errorType: errorTypeOf(err), errorMessage: err.message, code: err.code, ...err };
  fields.stack = stackLines(err.stack);
  return fields;
}
