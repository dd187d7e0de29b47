// `lambkin deploy --warm K`: keep K initialised environments of the function's $LATEST (what an
// unqualified `lambkin invoke` runs), and wait until they are, so that the invokes right after the
// deploy are all warm. The server re-initialises them after every later update of the function;
// --warm 0 lets them go.
import type { LambkinClient, WarmStatus } from '../client/index.js';
import { UsageError } from './output.js';

const POLL_MS = 100;
/** Above the server's default init timeout, for runtimes that start slowly on a busy machine. */
export const WARM_WAIT_MS = 120_000;

/** Sets the count and waits for it; returns the phrase to add to deploy's line. */
export async function makeWarm(
  client: LambkinClient,
  name: string,
  count: number,
  say: (line: string) => void,
  waitMs = WARM_WAIT_MS,
): Promise<string> {
  let s: WarmStatus = await client.putWarm(name, count);
  if (count === 0) return 'no warm environments';
  const until = Date.now() + waitMs;
  if (s.status === 'IN_PROGRESS') say(`lambkin: starting ${plural(count)} of ${name}…`);
  while (s.status === 'IN_PROGRESS' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    s = await client.getWarm(name);
  }
  if (s.status === 'FAILED') {
    throw new UsageError(`the warm environments of ${name} failed to initialise (${s.reason ?? 'init error'}); \`lambkin logs ${name}\` shows why`);
  }
  if (s.status !== 'READY') {
    throw new UsageError(
      `${s.available} of ${plural(count)} of ${name} ready after ${Math.round(waitMs / 1000)} s; the server keeps starting them (check with \`lambkin logs ${name}\`)`,
    );
  }
  return `${plural(count)} ready`;
}

function plural(n: number): string {
  return `${n} warm environment${n === 1 ? '' : 's'}`;
}
