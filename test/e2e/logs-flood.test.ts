// A function that floods stdout (1 GB in a loop) is limited, and nobody else pays for it: the
// server's memory stays bounded, another function's invokes keep working (with their logs), and
// the flooding function's stream says how much was dropped. In the spread run (a 3-node cluster)
// every node's memory stays bounded, whichever ran the flood, and the other function's invokes go
// to every node.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction, waitFor } from '../helpers/functions.js';
import { filterAll, invocationLog, invokeJson } from '../helpers/logs.js';

let lk: Lambkin;

const FLOOD = `exports.lambda_handler = async () => {
  // Straight to fd 1 (process.stdout would buffer in this process when the host reads slower).
  const fs = require('node:fs');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const chunk = Buffer.from(('flood line ' + 'x'.repeat(1000) + '\\n').repeat(64)); // ~64 KB
  let written = 0;
  while (written < 1024 * 1024 * 1024) {
    try {
      written += fs.writeSync(1, chunk);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1); // the pipe is full: the host is behind
    }
  }
  return { written };
};`;
const STEADY = `exports.lambda_handler = async (event) => { console.log('steady', event.n); return { n: event.n }; };`;

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, 'flood', NODE, { [NODE.file]: FLOOD }, { Timeout: 120, MemorySize: 256 });
  await createFunction(lk.lambda, 'steady', NODE, { [NODE.file]: STEADY });
  await invokeJson(lk.lambda, 'steady', { n: 0 }); // warm
});
afterAll(async () => {
  await lk?.stop();
});

/** The server's resident memory (in the spread run: the largest of its nodes'). */
function serverRssMb(): number {
  return Math.max(...(lk.nodes ?? [lk]).map((n) => {
    const status = readFileSync(`/proc/${n.proc.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
  }));
}

describe('a flooding function', () => {
  it('is cut off with a visible notice while memory stays bounded and other functions keep working', async () => {
    let peakMb = serverRssMb();
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, serverRssMb());
    }, 100);
    let flooding = true;
    const flood = invokeJson(lk.lambda, 'flood', {}).finally(() => {
      flooding = false;
    });
    const steady: { requestId: string; ok: boolean }[] = [];
    try {
      // Wait until the flood is under way, then keep invoking the other function until it ends.
      await waitFor('the flood to start dropping', async () => {
        const dropped = await filterAll(lk.logs, { logGroupName: '/aws/lambda/flood', filterPattern: '"bytes of log dropped"' }).catch(() => []);
        return dropped.length > 0 || !flooding;
      }, 120_000);
      for (let n = 1; flooding || n <= 3; n++) {
        const r = await invokeJson(lk.lambda, 'steady', { n });
        steady.push({ requestId: r.requestId, ok: r.FunctionError === undefined && (r.body as { n: number }).n === n });
      }
      const result = await flood;
      // It either wrote its gigabyte or ran into its timeout; both are fine, the server is.
      expect(result.FunctionError === undefined || (result.body as { errorType: string }).errorType === 'Sandbox.Timedout').toBe(true);
    } finally {
      clearInterval(sampler);
    }
    expect(peakMb).toBeLessThan(400);
    expect(steady.length).toBeGreaterThanOrEqual(3);
    expect(steady.filter((s) => !s.ok)).toEqual([]);
    // Their lines are all stored (behind the flood's backlog, so wait for them).
    for (const s of steady.slice(-3)) {
      const log = await waitFor(`the log of ${s.requestId}`, async () => {
        const got = await invocationLog(lk, s.requestId);
        return got.events.at(-1)?.message.startsWith('REPORT RequestId: ') ? got : undefined;
      });
      expect(log.events.map((e) => e.message).filter((m) => m.includes('\tINFO\tsteady '))).toHaveLength(1);
    }
    const notices = await waitFor('the dropped-bytes notice', async () => {
      const found = await filterAll(lk.logs, { logGroupName: '/aws/lambda/flood', filterPattern: '"bytes of log dropped"' });
      return found.length > 0 ? found : undefined;
    });
    const dropped = notices.map((e) => Number(/^lambkin: (\d+) bytes of log dropped/.exec(e.message!)![1]));
    expect(dropped.every((n) => n > 0)).toBe(true);
    // Some of the flood was kept, and what was dropped plus kept is the whole gigabyte or less.
    const total = dropped.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1024 * 1024 * 1024);
  }, 300_000);
});
