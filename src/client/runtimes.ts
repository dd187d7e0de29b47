// GET /lambkin/v1/runtimes: the runtimes the server knows, and whether it can run each.
import type { RuntimeView } from '../wire.js';
import type { Transport } from './transport.js';

export type { RuntimeView } from '../wire.js';

export async function listRuntimes(http: Transport): Promise<readonly RuntimeView[]> {
  const out = await http.json<{ runtimes: RuntimeView[] }>('GET', '/lambkin/v1/runtimes');
  return out.runtimes;
}
