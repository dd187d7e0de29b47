// The Runtime API fuzzed from inside a real sandbox: a function (runtime-api-fuzz-cases.js) sends
// LAMBKIN_FUZZ_RUNTIME_API malformed requests (2,000 in `npm test`; `npm run fuzz` sends 20,000) to
// its own Runtime API during its invocation, while a bystander function is called again and again.
// The server never exits and never fails inside (no 500, nothing in its log), the bystander answers
// throughout and after, and the attacking invocation ends Lambda-shaped. FUZZ_SEED=<n> replays a run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { call, deploy, ECHO_NODE, stillServes } from './hostile.js';

const COUNT = Number(process.env.LAMBKIN_FUZZ_RUNTIME_API ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FUZZER = readFileSync(join(import.meta.dirname, 'runtime-api-fuzz-cases.js'), 'utf8');

interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly requests: number;
  readonly seconds: number;
  readonly tally: Record<string, number>;
  readonly byKind: Record<string, Record<string, number>>;
}

let lk: Lambkin;

beforeAll(async () => {
  lk = await startLambkin();
  await deploy(lk.lambda, 'bystander', ECHO_NODE);
  // Its timeout grows with the count: a long run must end by itself, not by the deadline.
  await deploy(lk.lambda, 'rt-fuzzer', FUZZER, { timeout: Math.min(900, 60 + Math.ceil(COUNT / 20)), memory: 512 });
});
afterAll(async () => {
  await lk?.stop();
});

describe('fuzz: malformed requests to the Runtime API from inside the sandbox', () => {
  it(`${COUNT} requests: the server stays up and whole, the bystander answers, the invocation ends Lambda-shaped`, async () => {
    await stillServes(lk.lambda);
    let over = false;
    let bystander = 0;
    const attack = call(lk.lambda, 'rt-fuzzer', { count: COUNT, seed: SEED }).finally(() => (over = true));
    while (!over) {
      await stillServes(lk.lambda);
      bystander++;
    }
    const r = await attack;
    expect(lk.proc.exitCode).toBeNull();
    expect(r.functionError, `the fuzzer failed: ${r.text}\n${r.log}`).toBeUndefined();
    const report = r.body as FuzzReport;
    console.log(
      `runtime API fuzz seed ${report.seed}: ${report.requests} requests (${report.cases} cases) in ${report.seconds.toFixed(1)} s; ` +
      `answers ${JSON.stringify(report.tally)}; the bystander answered ${bystander} times meanwhile`,
    );
    if (process.env.FUZZ_KIND_TIMES) console.log(JSON.stringify(report.byKind, null, 1));
    expect(report.requests).toBeGreaterThanOrEqual(COUNT);
    // Nothing failed inside lambkin: no 500, no non-HTTP answer, no internal error in its log.
    expect(report.tally['500'], JSON.stringify(report.byKind)).toBeUndefined();
    expect(report.tally['not-http']).toBeUndefined();
    expect(lk.output()).not.toMatch(/lambkin: Runtime API of .* failed/);
    // Each class of refusal was reached: bad encoding 400, foreign id 403, unknown route 404, headers 431.
    for (const status of ['400', '403', '404', '431']) expect(report.tally[status] ?? 0).toBeGreaterThan(0);
    // The Extensions and Telemetry APIs refuse all of it: the fuzzer is no registered extension and
    // registration is closed while its invocation runs.
    const ext = report.byKind.extensions ?? {};
    expect(Object.values(ext).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const ok of ['200', '202']) expect(ext[ok], JSON.stringify(ext)).toBeUndefined();
    expect(bystander).toBeGreaterThan(0);
    await stillServes(lk.lambda);
    // The fuzzer's own environment still serves too: a small run on it ends as well.
    const again = await call(lk.lambda, 'rt-fuzzer', { count: 20, seed: SEED + 1 });
    expect(again.functionError).toBeUndefined();
    expect(lk.proc.exitCode).toBeNull();
  }, 1_800_000);
});
