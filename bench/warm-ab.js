// node bench/warm-ab.js <other built lambkin tree> — the warm path of this tree and another one
// (e.g. a copy of the tree before a change, built), next to the client's floor (lib/floor.js), in
// one process: sequential invokes (c1) and, with BENCH_SECONDS > 0, 32 in flight, in alternating
// rounds, so that a shared machine's swings hit all three alike. Per target: p50/p99, inv/s, and
// CPU and context switches per invoke of the server, its environments and the client (lib/usage.js),
// with the medians of the rounds' p50s (a single round's p50 moves with the machine's load).
//   BENCH_RUNTIMES=nodejs20.x,python3.11 BENCH_WARM_N=6000 BENCH_ROUNDS=12 node bench/warm-ab.js /tmp/lambkin-before
import { resolve } from 'node:path';
import { startServer } from './lib/server.js';
import { startFloorServer } from './lib/floor.js';
import { client, flood, invoke } from './lib/load.js';
import { deploy } from './lib/functions.js';
import { snapshot, UsageTally } from './lib/usage.js';
import { descendants } from './lib/proc.js';
import { usageTable } from './lib/distance.js';
import { ms, summary, table } from './lib/stats.js';

const other = process.argv[2];
if (!other) throw new Error('usage: node bench/warm-ab.js <other built lambkin tree>');
const WARM_N = Number(process.env.BENCH_WARM_N ?? 6000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 0); // at 32 in flight, per target, over the rounds
const runtimes = (process.env.BENCH_RUNTIMES ?? 'nodejs20.x').split(',');

// The pre-started pool off (BENCH_PRESTART=on keeps it): a function's first invoke is then a full
// cold start on both servers, which gives their hand-off (scheduler/handoff.ts) the same cold-start
// estimate; with the pool, whether the first invoke hit a spare (no estimate) decides whether 32 in
// flight stay on one or two environments or spread over 32, and the two trees' @32 would differ by that.
const poolEnv = process.env.BENCH_PRESTART === 'on' ? {} : { LAMBKIN_PRESTART: 'off' };
const targets = [
  { id: 'this tree', server: await startServer([], poolEnv) },
  { id: 'other', server: await startServer([], poolEnv, resolve(other)) },
  { id: 'floor', floor: true, server: await startFloorServer() },
];
const rows = [];
const usageRows = [];
const paired = [];
try {
  for (const t of targets) t.lambda = client(t.server.url);
  for (const runtime of runtimes) {
    const name = `warm-ab-${runtime.replace(/\W/g, '')}`;
    for (const t of targets) {
      if (!t.floor) await deploy(t.lambda, name, runtime);
      Object.assign(t, { warm: [], p50s: [], done: 0, c1: new UsageTally(), c32: new UsageTally() });
      for (let i = 0; i < 1000; i++) await invoke(t.lambda, name); // warm the client, the server and the runtime
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 ? [...targets].reverse() : targets) {
        const a = snapshot(t.server.pid);
        const mine = [];
        for (let i = 0; i < WARM_N / ROUNDS; i++) {
          const s = performance.now();
          await invoke(t.lambda, name);
          mine.push(performance.now() - s);
        }
        t.c1.add(a, snapshot(t.server.pid), mine.length);
        t.warm.push(...mine);
        t.p50s.push(summary(mine).p50);
      }
    }
    if (SECONDS > 0) {
      for (const t of targets) await flood(t.lambda, name, 32, 1); // environments started, not measured
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of round % 2 ? [...targets].reverse() : targets) {
          const a = snapshot(t.server.pid);
          const r = await flood(t.lambda, name, 32, SECONDS / ROUNDS);
          t.c32.add(a, snapshot(t.server.pid), r.done);
          t.done += r.done;
        }
      }
      // How many environments each ended with: a server that scaled out spends more per invoke.
      for (const t of targets) t.procs = descendants(t.server.pid).length;
    }
    const floor = targets.find((t) => t.floor);
    paired.push([runtime, targets[0].p50s.map((x, i) => x - targets[1].p50s[i])]);
    const median = (xs) => summary(xs).p50;
    for (const t of targets) {
      const w = summary(t.warm);
      rows.push([runtime, t.id, ms(w.p50), ms(median(t.p50s)), ms(median(t.p50s) - median(floor.p50s)), ms(w.p99),
        SECONDS > 0 ? Math.round(t.done / SECONDS) : '-', SECONDS > 0 ? (t.done / floor.done).toFixed(2) : '-', t.procs ?? '-']);
      usageRows.push({ runtime, target: t.id, phase: 'c1', usage: t.c1.result() });
      if (SECONDS > 0) usageRows.push({ runtime, target: t.id, phase: '@32', usage: t.c32.result() });
    }
  }
} finally {
  for (const t of targets) {
    t.lambda?.destroy();
    await t.server.stop();
  }
}
console.log(table(['runtime', 'target', 'c1 p50 ms', 'median of round p50s', '− floor', 'c1 p99 ms', 'inv/s @32', '/ floor', 'processes after @32'], rows));
for (const [runtime, d] of paired) {
  console.log(`${runtime}: this tree − other, c1 p50 round by round (same rounds, so the same load): median ${d.map(ms).sort((x, y) => x - y)[Math.floor(d.length / 2)]} ms ` +
    `(${d.filter((x) => x < 0).length} of ${d.length} rounds lower)`);
}
console.log(`\nPer invoke:\n${usageTable(usageRows)}`);
console.log(`(${WARM_N} sequential invokes per target in ${ROUNDS} alternating rounds after 1,000 warm-up; ` +
  `${SECONDS > 0 ? `${SECONDS} s at 32 in flight per target in the same rounds` : 'no @32 phase (BENCH_SECONDS)'}; other: ${other})`);
