// The edit–invoke loop of `lambkin dev` (issue 19): for a small Node.js and a small Python
// function, save a new version of the handler EDITS times and measure, per save, the time from
// the write to `lambkin dev` printing "redeployed" (watch, quiet period, syntax check, zip,
// UpdateFunctionCode) and from the write to the first invoke that answers with the new code.
// Prints p50 and p95 of each. Targets: ≤ 300 ms save→redeployed, ≤ 350 ms save→new answer.
//   npm run bench:dev [-- edits=20]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ROOT, startServer } from './lib/server.js';
import { client } from './lib/load.js';
import { ms, percentile, table } from './lib/stats.js';

const EDITS = Number(process.argv[2] ?? 20);
const CASES = [
  { label: 'Node.js (nodejs20.x)', file: 'lambda_function.js', code: (v) => `exports.lambda_handler = async () => ${v};\n` },
  { label: 'Python (python3.11)', file: 'lambda_function.py', code: (v) => `def lambda_handler(event, context):\n    return ${v}\n` },
];

/** `lambkin dev` on `dir`; `next(re)` resolves when its output next matches, with the time it did. */
function startDev(url, dir, name) {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/lambkin.js'), '--endpoint', url, 'dev', dir, '--name', name], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let waiter;
  const seen = (chunk) => {
    out += chunk;
    if (waiter?.re.test(out.slice(waiter.from))) {
      const w = waiter;
      waiter = undefined;
      w.resolve(performance.now());
    }
  };
  proc.stdout.on('data', seen);
  proc.stderr.on('data', seen);
  return {
    next: (re, timeoutMs = 30_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      waiter = { re, from: out.length, resolve: (t) => { clearTimeout(timer); resolve(t); } };
    }),
    stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }),
  };
}

async function answer(lambda, name) {
  const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode('{}') }));
  return JSON.parse(Buffer.from(r.Payload).toString('utf8'));
}

const server = await startServer();
const lambda = client(server.url);
const work = mkdtempSync(join(tmpdir(), 'lambkin-bench-dev-'));
const rows = [];
try {
  for (const [i, c] of CASES.entries()) {
    const name = `bench-dev-${i}`;
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, c.file), c.code(0));
    const dev = startDev(server.url, dir, name);
    await dev.next(/watching /);
    await answer(lambda, name); // the first environment: not part of the loop being measured
    const redeployed = [];
    const answered = [];
    for (let v = 1; v <= EDITS; v++) {
      const line = dev.next(/redeployed /);
      const t0 = performance.now();
      writeFileSync(join(dir, c.file), c.code(v));
      redeployed.push((await line) - t0);
      while ((await answer(lambda, name)) !== v) { /* a stale answer cannot come after "redeployed"; guard anyway */ }
      answered.push(performance.now() - t0);
    }
    await dev.stop();
    redeployed.sort((a, b) => a - b);
    answered.sort((a, b) => a - b);
    rows.push([c.label, EDITS, ms(percentile(redeployed, 50)), ms(percentile(redeployed, 95)), ms(percentile(answered, 50)), ms(percentile(answered, 95))]);
  }
} finally {
  lambda.destroy();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(table(['function', 'edits', 'save→redeployed p50 ms', 'p95', 'save→new answer p50 ms', 'p95'], rows));
console.log('targets: save→redeployed ≤ 300 ms, save→new answer ≤ 350 ms (p50)');
