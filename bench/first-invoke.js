// The first invoke after a deploy, as a new user meets it (issue 17, items 1–2): lambkin only, ROUNDS
// fresh servers per runtime (lib/first-invoke.js says what a round does; `npm run bench` runs the same
// rounds beside serverless-offline's).
// Usage: npm run build && node bench/first-invoke.js [rounds=5]   (BENCH_RUNTIMES=nodejs20.x,python3.11)
import { figures, lambkinRound, BURST } from './lib/first-invoke.js';
import { ms, table } from './lib/stats.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const runtimes = (process.env.BENCH_RUNTIMES ?? 'nodejs20.x,python3.11').split(',');

const rows = [];
for (const runtime of runtimes) {
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await lambkinRound(runtime));
  const { first: f, burst: b, firstInit: fi, burstInit: bi } = figures(rounds);
  rows.push([runtime, ms(f.p50), ms(f.min), ms(f.max), ms(fi.p50), ms(b.p50), ms(b.p99), ms(b.max), ms(bi.p50), ms(bi.max)]);
}
console.log(table(['runtime', 'first p50 ms', 'min', 'max', 'init p50', `${BURST}-burst p50 ms`, 'p99', 'max', 'init p50', 'init max'], rows));
console.log(`(${ROUNDS} fresh servers per runtime: first invoke 1 s after CreateFunction; ${BURST} concurrent first invokes of a second function after a burst of ${BURST})`);
