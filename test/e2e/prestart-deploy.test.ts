// The pre-started pool follows deploys and demand (src/sandbox/prestart/pool.ts, demand.ts):
// - CreateFunction readies a sandbox of the function's runtime shape at once, so that its very
//   first invoke on a fresh server is served by it — and sees what it would with the pool off;
// - a burst of cold starts is remembered: the next 8 concurrent first invokes of a function of that
//   shape are all served by spares;
// - once no such burst happened for the idle timeout, the spares beyond one are given back.
// A runtime was pre-started when its start-up environment (/proc/self/environ) has the pool's marker.
import { describe, expect, it } from 'vitest';
import { NODE, RUNTIME_CASES, createFunction, waitFor, type RuntimeCase } from '../helpers/functions.js';
import { invokeJson, reportPattern } from '../helpers/logs.js';
import { expectSameEnvironment, pooledAndPlain, useServerPair, waiting } from '../helpers/prestart.js';
import type { Files } from '../helpers/zip.js';

const NODE_FN = `
const fs = require('node:fs');
const os = require('node:os');
exports.lambda_handler = async (event) => {
  if (event.ms) await new Promise((r) => setTimeout(r, event.ms));
  return {
    env: { ...process.env }, tmp: fs.readdirSync(os.tmpdir()),
    prestarted: fs.readFileSync('/proc/self/environ', 'latin1').split('\\0').includes('_LAMBKIN_PRESTART=1'),
  };
};
`;
const PYTHON_FN = `
import os, tempfile, time
def lambda_handler(event, context):
    if event.get('ms'):
        time.sleep(event['ms'] / 1000)
    return {
        'env': dict(os.environ), 'tmp': os.listdir(tempfile.gettempdir()),
        'prestarted': b'_LAMBKIN_PRESTART=1' in open('/proc/self/environ', 'rb').read().split(b'\\0'),
    }
`;
const files = (rt: RuntimeCase): Files => ({ [rt.file]: rt.label === 'node' ? NODE_FN : PYTHON_FN });
// Spares beyond one go once no burst that large happened for this long (the pool's demand window);
// long enough that 8 sandboxes start within it on a loaded machine.
const IDLE_TIMEOUT_S = 45;

interface Reply {
  env: Record<string, string>;
  tmp: string[];
  prestarted: boolean;
}

const servers = useServerPair(['--idle-timeout', String(IDLE_TIMEOUT_S)]);

describe.each(RUNTIME_CASES)('$label', (rt) => {
  it('the first invoke after CreateFunction on a fresh server is served by a sandbox the deploy readied, and sees what it would without one', async () => {
    const name = `first-${rt.label}`;
    expect(waiting(servers.pooled, rt)).toEqual([]); // nothing of this runtime has run on this server
    const extra = { MemorySize: 192, Environment: { Variables: { ONLY_HERE: 'yes' } } };
    await Promise.all([servers.pooled, servers.plain].map((s) => createFunction(s.lambda, name, rt, files(rt), extra)));
    await waitFor(`a ${rt.label} runtime readied by the deploy`, () => waiting(servers.pooled, rt).length > 0, 30_000);

    const { out, normal, got, want } = await pooledAndPlain<Reply>(servers, name);
    expectSameEnvironment(got.env, want.env);
    expect(got.env.ONLY_HERE).toBe('yes');
    expect(got.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).toBe('192');
    expect(got.tmp).toEqual([]);
    // A cold start all the same: REPORT has Init Duration, as on the server without a pool.
    const report = (o: { LogResult?: string }) => Buffer.from(o.LogResult ?? '', 'base64').toString('utf8').split('\n').find((l) => l.startsWith('REPORT'));
    expect(report(out)).toMatch(reportPattern(out.requestId, 192, true));
    expect(report(normal)).toMatch(reportPattern(normal.requestId, 192, true));
  }, 60_000);
});

describe('bursts', () => {
  it('after a burst of 8 cold starts, 8 concurrent first invokes of a new function are all served by spares; the spares go once demand falls', async () => {
    const rt = NODE;
    await createFunction(servers.pooled.lambda, 'burst-a', rt, files(rt), { Timeout: 30 });
    // 8 at once, each long enough that none is free when the next arrives: 8 cold starts together.
    const seen = await Promise.all(Array.from({ length: 8 }, () => invokeJson(servers.pooled.lambda, 'burst-a', { ms: 1500 })));
    expect(seen.every((r) => r.FunctionError === undefined)).toBe(true);
    await waitFor('8 spares of the shape', () => waiting(servers.pooled, rt).length >= 8, 60_000);

    await createFunction(servers.pooled.lambda, 'burst-b', rt, files(rt), { Timeout: 30 });
    const burst = await Promise.all(Array.from({ length: 8 }, () => invokeJson(servers.pooled.lambda, 'burst-b', { ms: 1500 }, true)));
    expect(burst.every((r) => r.FunctionError === undefined)).toBe(true);
    expect(burst.map((r) => (r.body as Reply).prestarted)).toEqual(Array(8).fill(true));
    // 8 environments, each a cold start (Init Duration on its REPORT).
    expect(new Set(burst.map((r) => (r.body as Reply).env.AWS_LAMBDA_LOG_STREAM_NAME)).size).toBe(8);
    for (const r of burst) expect(Buffer.from(r.LogResult ?? '', 'base64').toString('utf8')).toMatch(/Init Duration: [\d.]+ ms/);

    // The burst refills the spares; with no burst for the idle timeout they go back to one.
    await waitFor('the spares beyond one to be given back', () => waiting(servers.pooled, rt).length <= 1, (IDLE_TIMEOUT_S + 30) * 1000);
  }, 300_000);
});
