// GET /lambkin/v1/runtimes: the runtimes the server knows, and whether it can run each.
import type { Transport } from './transport.js';

export interface RuntimeView {
  readonly name: string;
  readonly family: string;
  readonly ids: readonly string[];
  readonly status: 'installed' | 'missing' | 'unavailable';
  /** What to install (missing), or why not and what to do instead (unavailable). */
  readonly hint?: string;
  /** The interpreter the server runs it with, e.g. "ruby 3.1.2". */
  readonly version?: string;
}

export async function listRuntimes(http: Transport): Promise<readonly RuntimeView[]> {
  const out = await http.json<{ runtimes: RuntimeView[] }>('GET', '/lambkin/v1/runtimes');
  return out.runtimes;
}
