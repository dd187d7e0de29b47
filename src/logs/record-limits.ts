// An invocation record is a summary, listed by the hundred (the console's invocations and errors,
// `lambkin stats`): its error is cut as a log line is, only shorter. A function that fails with a
// 6 MB message (the Runtime API takes error bodies up to the payload limit) once stored it whole
// — 20 such invocations grew logs.db by 230 MB and made one page of /lambkin/v1/invocations 120 MB.
// The caller still got the whole error in its response; the log line has the first 256 KB of it.
import type { InvocationRecord } from './types.js';

/** Characters of an error message kept in a record. */
export const MAX_RECORD_ERROR_MESSAGE = 4096;
/** Characters of an error type kept in a record (Lambda's are names like Runtime.ExitError). */
export const MAX_RECORD_ERROR_TYPE = 256;

/** The record with its error cut to the limits, saying so; the same object when within them. */
export function cutRecord(r: InvocationRecord): InvocationRecord {
  const message = r.errorMessage;
  const type = r.errorType;
  const longMessage = message !== undefined && message.length > MAX_RECORD_ERROR_MESSAGE;
  const longType = type !== undefined && type.length > MAX_RECORD_ERROR_TYPE;
  if (!longMessage && !longType) return r;
  return {
    ...r,
    errorMessage: longMessage ? cut(message, MAX_RECORD_ERROR_MESSAGE) : message,
    errorType: longType ? cut(type, MAX_RECORD_ERROR_TYPE) : type,
  };
}

/**
 * An error message as a record keeps it, when the text at hand may itself be only the start of a
 * longer message (`length` characters in all: the Runtime API decodes only the start of a long one).
 */
export function cutErrorMessage(text: string, length = text.length): string {
  return length > MAX_RECORD_ERROR_MESSAGE ? cut(text, MAX_RECORD_ERROR_MESSAGE, length) : text;
}

function cut(text: string, max: number, length = text.length): string {
  const note = ` … [cut: ${length} characters in all]`;
  let end = Math.max(0, max - note.length);
  // Not inside a surrogate pair: the rest would not be valid UTF-16.
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  // A flat copy, not a slice: a slice would keep the whole message alive as long as the record.
  return Buffer.from(text.slice(0, end), 'utf16le').toString('utf16le') + note;
}
