// Out of file descriptors (issue 14, item 4): function code can make the server hold thousands of
// connections (its Runtime API socket is reachable from inside), until the server is at its fd
// limit. The next cold start then cannot spawn its sandbox: that must be a failed start (an
// error for that invoke), never an unhandled 'error' event that ends the server — and once fds are
// free again the same function starts. The limit is lowered on the running server with prlimit,
// just above what it has open, at every margin where some step of a cold start runs out.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { call, deploy, ECHO_NODE, stillServes } from './hostile.js';

const MARGINS = 24;
let lk: Lambkin;

beforeAll(async () => {
  // No pre-started sandboxes: they would take fds in the background, at moments the test does not choose.
  lk = await startLambkin({ env: { LAMBKIN_PRESTART: 'off' } });
  await deploy(lk.lambda, 'bystander', ECHO_NODE);
  for (let i = 0; i < MARGINS; i++) await deploy(lk.lambda, `cold-${i}`, ECHO_NODE);
  await stillServes(lk.lambda); // the SDK's keep-alive connection is open before the limit is lowered
}, 120_000);
afterAll(async () => {
  await lk?.stop();
});

function setLimit(n: number): void {
  execFileSync('prlimit', ['--pid', String(lk.proc.pid), `--nofile=${n}:`]);
}
const softLimit = () => Number(execFileSync('prlimit', ['--pid', String(lk.proc.pid), '--nofile', '--output=SOFT', '--noheadings']).toString().trim());
const openFds = () => readdirSync(`/proc/${lk.proc.pid}/fd`).length;

describe('hostile: the server at its file descriptor limit', () => {
  it('a cold start that cannot spawn fails that invoke; the server lives and starts it once fds are free', async () => {
    const usual = softLimit();
    const outcomes: string[] = [];
    for (let margin = 0; margin < MARGINS; margin++) {
      const name = `cold-${margin}`;
      setLimit(openFds() + margin);
      let outcome: string;
      try {
        const r = await call(lk.lambda, name, { margin });
        outcome = r.functionError ? `${r.functionError}: ${r.body?.errorType}: ${r.body?.errorMessage}` : 'ok';
      } catch (err) {
        outcome = `${(err as Error).name}: ${(err as Error).message}`;
      }
      outcomes.push(`margin ${margin}: ${outcome}`);
      setLimit(usual);
      try {
        // Recovered: the same function starts now (a failed start left nothing behind that stops it).
        const again = await call(lk.lambda, name, { again: true });
        expect(again.functionError, `${name} after the limit was raised: ${again.text}`).toBeUndefined();
        await stillServes(lk.lambda);
      } catch (err) {
        throw new Error(`after margin ${margin}: ${(err as Error).message}\n${outcomes.join('\n')}\nserver exit: ${lk.proc.exitCode}\n${lk.output().slice(-3000)}`);
      }
    }
    console.log(outcomes.join('\n'));
    // Some margin did reach the spawn and fail there, with a message that says what happened.
    const failed = outcomes.filter((o) => !o.endsWith(': ok') && /no file descriptors left/.test(o));
    expect(failed.length, outcomes.join('\n')).toBeGreaterThan(0);
    expect(failed[0]).toMatch(/Runtime\.InvalidEntrypoint/);
  }, 300_000);
});
