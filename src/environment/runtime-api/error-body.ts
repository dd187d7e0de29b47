// Parse an error body posted by a runtime. Runtimes differ: AWS's Node client sends `trace`,
// others `stackTrace`; some send plain text. Whatever arrives becomes one normalised shape.
import type { RuntimeErrorBody } from './host.js';

export function parseErrorBody(raw: Buffer, headerType: string | undefined): RuntimeErrorBody {
  let parsed: unknown;
  try {
    parsed = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    parsed = { errorMessage: raw.toString('utf8') };
  }
  const obj = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const trace = Array.isArray(obj.stackTrace) ? obj.stackTrace : Array.isArray(obj.trace) ? obj.trace : [];
  return {
    errorType: typeof obj.errorType === 'string' ? obj.errorType : (headerType ?? 'Runtime.Unknown'),
    errorMessage: typeof obj.errorMessage === 'string' ? obj.errorMessage : String(obj.errorMessage ?? ''),
    stackTrace: trace.map((line) => String(line)),
  };
}
