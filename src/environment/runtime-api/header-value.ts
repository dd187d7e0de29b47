// Values the host puts in /next's headers. A header carries printable ASCII and tabs only (Node's
// writeHead throws on anything else: ERR_INVALID_CHAR), while a caller's client context is any
// valid JSON — with newlines between its tokens, "ü", "日本" or emoji in its strings.

/**
 * JSON text as a header value that parses to the same JSON value: newlines and carriage returns
 * (which valid JSON has only between tokens) become spaces, and every other character outside
 * printable ASCII (valid JSON has those only inside strings) becomes its \uXXXX escape — a
 * character outside the BMP as its two surrogate escapes, as JSON.stringify would. The text is not
 * re-serialised, so numbers keep their digits and keys their order.
 */
export function jsonHeaderValue(json: string): string {
  return json.replace(/[\r\n]/g, ' ').replace(/[^\t\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Any other value: what a header cannot carry is dropped (lambkin's own values never have any). */
export function headerValue(value: string): string {
  return /[^\t\x20-\x7e]/.test(value) ? value.replace(/[^\t\x20-\x7e]/g, '') : value;
}
