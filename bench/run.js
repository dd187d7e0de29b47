// npm run bench — lambkin and serverless-offline side by side, in one process with one SDK client per
// platform (keep-alive), rounds alternating between platforms so that machine noise hits both.
// Figures per runtime (Node.js, Python hello): cold start (+ lambkin's init duration and a
// pre-warmed start), warm sequential latency (= throughput at 1 in flight), throughput at 8/32/64 in
// flight, and — in a separate pass on fresh servers, because sampling /proc stalls the client —
// RSS and PSS of the platform and of its environments idle / under load / after load.
// `lambkin pg`: lambkin (namespace) with its stores on PostgreSQL (--database-url; a database made
// for the run on LAMBKIN_BENCH_DATABASE_URL's server and dropped after it), warm sequential and
// @32 beside the same lambkin on SQLite; left out, with a message, when PostgreSQL is not there.
// `floor`: the client's floor (lib/floor.js: the same SDK client against a do-nothing server in a
// process of its own that answers every Invoke with `{}`), in the same alternating rounds as the
// platforms at 1 and 32 in flight; the table gives lambkin's distance to it, and the CPU and
// context switches per invoke of each server, its environments and the client (lib/usage.js).
// First invoke after a deploy and 8-wide bursts (lib/first-invoke.js, as bench/first-invoke.js):
// BENCH_FIRST_ROUNDS fresh lambkin servers per runtime (default 3) beside as many fresh
// serverless-offline pairs (its start is its deploy), lambkin and the peer taking turns at going first.
//   BENCH_SCALE=0.2 npm run bench   (every duration and count × 0.2, for a quick look)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setupPeers } from './setup.js';
import { ROOT } from './lib/server.js';
import { lambkin, peer, prewarm, invoke, RUNTIMES } from './lib/targets.js';
import { sequential, flood } from './lib/load.js';
import { treeMem } from './lib/proc.js';
import { summary } from './lib/stats.js';
import { report } from './lib/report.js';
import { benchDatabase } from './lib/database.js';
import { floor as startFloor } from './lib/floor.js';
import { snapshot, UsageTally } from './lib/usage.js';
import { distance } from './lib/distance.js';
import { figures as firstFigures, lambkinRound, peerRound } from './lib/first-invoke.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10) * SCALE; // per throughput level, main pair
const VARIANT_SECONDS = Number(process.env.BENCH_VARIANT_SECONDS ?? 3) * SCALE; // lambkin-process, --useInProcess
const WARMUP = Math.round(2000 * SCALE);
const MIN_SEQ = Math.round(2000 * SCALE);
const COLD_N = Math.max(2, Math.round(Number(process.env.BENCH_COLD_N ?? 7) * Math.min(1, SCALE * 2)));
const COLD_PAUSE_MS = Number(process.env.BENCH_COLD_PAUSE_MS ?? 500);
const MEM_LOAD_S = Math.max(1, 3 * SCALE);
const ROUNDS = 2;
const FIRST_ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_FIRST_ROUNDS ?? 3) * Math.min(1, SCALE * 2)));
const LEVELS = [8, 32, 64];
const t0 = performance.now();
const log = (m) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

setupPeers();
const results = { figures: {}, settings: { SCALE, SECONDS, VARIANT_SECONDS, WARMUP, MIN_SEQ, COLD_N, MEM_LOAD_S, ROUNDS, FIRST_ROUNDS } };
const put = (rt, figure, target, value) => (((results.figures[rt] ??= {})[figure] ??= {})[target] = value);

log('starting lambkin (namespace, process) and serverless-offline (default, --useInProcess, --reloadHandler)');
const database = await benchDatabase(log);
const [ns, proc, sls, inproc, reload, pg, fl] = await Promise.all([
  lambkin('namespace'), lambkin('process'), peer([], 'sls'), peer(['--useInProcess'], 'sls-inprocess'), peer(['--reloadHandler'], 'sls-reload'),
  database && lambkin('namespace', { args: ['--database-url', database.url], id: 'lambkin-pg' }), startFloor(),
]);
if (pg) results.settings.database = database.redacted;
// The store comparison (pg vs ns) and the floor get the main pair's time: a 10 % question needs it.
const main = (t) => t === ns || t === sls || t === pg || t === fl;
// CPU and context switches per invoke, for the targets whose distance the table explains.
const watched = (t) => t === ns || t === sls || t === pg || t === fl;
const usage = new Map();
const tally = (t, rt, load) => {
  const k = `${t.id} ${rt} ${load}`;
  if (!usage.has(k)) usage.set(k, { t, rt, load, tally: new UsageTally() });
  return usage.get(k).tally;
};
try {
  // Cold: lambkin retires the environments (config change) before each sample; serverless-offline
  // with --reloadHandler builds a new worker (or Python process) for every request.
  for (const rt of RUNTIMES) {
    log(`cold ${rt}`);
    const cold = { 'lambkin-namespace': [], 'lambkin-process': [], sls: [] };
    const init = { 'lambkin-namespace': [], 'lambkin-process': [] };
    for (let i = 0; i < COLD_N; i++) {
      // Retire first, then pause: lambkin refills its pre-started pool in the background, as it
      // would between one edit and the next invoke (bench:cold with LAMBKIN_PRESTART=off shows a miss).
      for (const t of [ns, proc]) await t.retire(rt, i);
      await new Promise((r) => setTimeout(r, COLD_PAUSE_MS));
      for (const t of [ns, proc]) {
        const s = performance.now();
        const r = await invoke(t.lambda, t.names[rt]);
        cold[t.id].push(performance.now() - s);
        init[t.id].push(await t.initMs(r.$metadata.requestId));
      }
      const s = performance.now();
      await invoke(reload.lambda, reload.names[rt]);
      cold.sls.push(performance.now() - s);
    }
    for (const [id, xs] of Object.entries(cold)) put(rt, 'cold start ms (p50)', id, summary(xs).p50);
    for (const [id, xs] of Object.entries(init)) put(rt, 'init duration ms (p50)', id, summary(xs.filter((x) => x != null)).p50);
  }
  await reload.stop();

  // Warm sequential = throughput at 1 in flight: after WARMUP calls, ≥ MIN_SEQ calls and ≥ SECONDS.
  for (const rt of RUNTIMES) {
    const targets = [ns, sls, proc, ...(rt === 'nodejs20.x' ? [inproc] : []), ...(pg ? [pg] : []), fl];
    for (const t of targets) {
      log(`warm-up ${t.id} ${rt}`);
      // The variants (process sandbox, --useInProcess) warm up on half: it keeps the run ≤ 5 min.
      await sequential(t.lambda, t.names[rt], main(t) ? WARMUP : Math.round(WARMUP / 2));
    }
    const lat = new Map(targets.map((t) => [t, []]));
    const secs = new Map(targets.map((t) => [t, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 ? [...targets].reverse() : targets) {
        const budget = (main(t) ? SECONDS : VARIANT_SECONDS) / ROUNDS;
        log(`sequential ${t.id} ${rt} round ${round + 1}`);
        const s = performance.now();
        const xs = lat.get(t);
        const need = xs.length + Math.ceil(MIN_SEQ / ROUNDS);
        const had = xs.length;
        const before = watched(t) && snapshot(t.pid);
        while (performance.now() - s < budget * 1000 || xs.length < need) xs.push(...(await sequential(t.lambda, t.names[rt], 100)));
        secs.set(t, secs.get(t) + (performance.now() - s) / 1000);
        if (before) tally(t, rt, 'c1').add(before, snapshot(t.pid), xs.length - had);
      }
    }
    for (const t of targets) {
      const s = summary(lat.get(t));
      put(rt, 'warm p50 ms', t.id, s.p50);
      put(rt, 'warm p99 ms', t.id, s.p99);
      put(rt, 'inv/s @1', t.id, s.n / secs.get(t));
    }
    // Throughput at N in flight.
    for (const level of LEVELS) {
      const lt = level === 32 ? targets : [ns, sls];
      const done = new Map(lt.map((t) => [t, { done: 0, errors: 0, secs: 0 }]));
      // Each target once at this level, unmeasured: the rounds then time the environments it keeps
      // for this load, not the cold starts of scaling to it (which the first target to meet a level
      // would pay alone: the order of the earlier phases decided which).
      for (const t of lt) {
        log(`${level} in flight ${t.id} ${rt} warm-up`);
        await flood(t.lambda, t.names[rt], level, 1);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of round % 2 ? [...lt].reverse() : lt) {
          const budget = (main(t) ? SECONDS : VARIANT_SECONDS) / ROUNDS;
          log(`${level} in flight ${t.id} ${rt} round ${round + 1}`);
          const s = performance.now();
          const before = level === 32 && watched(t) && snapshot(t.pid);
          const r = await flood(t.lambda, t.names[rt], level, budget);
          if (before) tally(t, rt, '@32').add(before, snapshot(t.pid), r.done);
          const d = done.get(t);
          d.done += r.done;
          d.errors += r.errors;
          d.firstError ??= r.firstError;
          d.secs += (performance.now() - s) / 1000;
        }
      }
      for (const t of lt) {
        const d = done.get(t);
        put(rt, `inv/s @${level}`, t.id, d.done / d.secs);
        if (d.errors) {
          put(rt, `errors @${level}`, t.id, d.errors);
          (results.errors ??= []).push({ rt, level, target: t.id, first: d.firstError });
        }
      }
    }
  }
  // Pre-warmed (provisioned concurrency, `lambkin deploy --warm`): the first invoke of a burst.
  for (const rt of RUNTIMES) {
    for (const t of [ns, proc]) {
      log(`pre-warmed ${t.id} ${rt}`);
      const q = await prewarm(t, rt, 2);
      const s = performance.now();
      await invoke(t.lambda, q);
      put(rt, 'pre-warmed first invoke ms', t.id, performance.now() - s);
    }
  }
} finally {
  for (const s of [ns, proc, sls, inproc, reload, pg, fl]) await s?.stop().catch(() => {});
  await database?.drop().catch((err) => log(`could not drop the benchmark's database: ${err.message}`));
}

// Distance to the floor, and where the time went.
for (const rt of RUNTIMES) {
  const f = results.figures[rt];
  if (!f?.['warm p50 ms']?.floor) continue;
  const of = (id) => ({ p50: f['warm p50 ms'][id], p99: f['warm p99 ms'][id], ips: f['inv/s @32'][id] });
  for (const id of ['lambkin-namespace', 'lambkin-process', 'lambkin-pg', 'sls', 'sls-inprocess']) {
    if (f['warm p50 ms'][id] == null || f['inv/s @32'][id] == null) continue;
    const d = distance(of(id), of('floor'));
    put(rt, 'c1 p50 − floor ms', id, d.p50);
    put(rt, 'c1 p99 − floor ms', id, d.p99);
    put(rt, '@32 / floor', id, d.ips);
  }
}
const USAGE_ROWS = { serverCpuUs: 'server CPU µs/inv', envCpuUs: 'env CPU µs/inv', clientCpuUs: 'client CPU µs/inv', serverCs: 'ctx sw server/inv', envCs: 'ctx sw env/inv', clientCs: 'ctx sw client/inv' };
for (const { t, rt, load, tally: u } of usage.values()) {
  for (const [k, v] of Object.entries(u.result())) put(rt, `${load} ${USAGE_ROWS[k]}`, t.id, v);
}

// Memory pass, fresh servers per runtime: platform idle (nothing run yet), one environment idle,
// the peak while 32 are in flight (sampled every 500 ms), and 2 s after the load stops.
for (const rt of RUNTIMES) {
  for (const make of [() => lambkin('namespace'), () => lambkin('process'), () => peer([], 'sls')]) {
    const t = await make();
    log(`memory ${t.id} ${rt}`);
    const m = { idle: treeMem(t.pid) };
    for (let k = 0; k < 200; k++) await invoke(t.lambda, t.names[rt]).catch((e) => log(`memory pass: ${e.message.slice(0, 200)}`));
    await sleep(500);
    m.oneEnv = treeMem(t.pid);
    let peak = m.oneEnv;
    const timer = setInterval(() => {
      const x = treeMem(t.pid);
      if (x.total.pss > peak.total.pss) peak = x;
    }, 500);
    await flood(t.lambda, t.names[rt], 32, MEM_LOAD_S);
    clearInterval(timer);
    m.load = peak;
    await sleep(2000);
    m.after = treeMem(t.pid);
    await t.stop();
    const id = t.id === 'sls' ? 'sls' : t.id;
    put(rt, 'platform idle MB RSS', id, m.idle.platform.rss);
    put(rt, 'platform idle MB PSS', id, m.idle.platform.pss);
    // The environment alone: the pre-started spare that refilled meanwhile is its own row.
    const envOnly = (x, k) => x.platform[k] + x.envs[k];
    put(rt, 'one idle env MB PSS', id, envOnly(m.oneEnv, 'pss') - envOnly(m.idle, 'pss'));
    put(rt, 'one idle env MB RSS', id, envOnly(m.oneEnv, 'rss') - envOnly(m.idle, 'rss'));
    if (t.id !== 'sls') put(rt, 'pre-started spare MB PSS', id, m.oneEnv.spare.pss);
    for (const phase of ['load', 'after']) {
      const name = phase === 'load' ? 'peak @32' : 'after load';
      put(rt, `${name} platform MB PSS`, id, m[phase].platform.pss);
      put(rt, `${name} envs MB PSS`, id, m[phase].envs.pss);
      put(rt, `${name} total MB PSS`, id, m[phase].total.pss);
      put(rt, `${name} total MB RSS`, id, m[phase].total.rss);
      put(rt, `${name} processes`, id, m[phase].envs.processes + 1);
    }
  }
}

// First invoke after a deploy, and 8 concurrent first invokes after a burst of 8: fresh servers, so
// after everything else; a failure here is logged and leaves the rest of the results.
try {
  const rounds = { 'lambkin-namespace': {}, sls: {} };
  for (const rt of RUNTIMES) for (const r of Object.values(rounds)) r[rt] = [];
  for (let round = 0; round < FIRST_ROUNDS; round++) {
    const order = round % 2 ? [...RUNTIMES].reverse() : RUNTIMES;
    const ours = async () => {
      for (const rt of order) {
        log(`first invoke and burst lambkin-namespace ${rt} round ${round + 1}`);
        rounds['lambkin-namespace'][rt].push(await lambkinRound(rt, ['--sandbox', 'namespace']));
      }
    };
    const theirs = async () => {
      log(`first invoke and burst sls ${order.join(', ')} round ${round + 1}`);
      const r = await peerRound(order);
      for (const rt of order) rounds.sls[rt].push(r[rt]);
    };
    for (const pass of round % 2 ? [theirs, ours] : [ours, theirs]) await pass();
  }
  for (const [id, byRt] of Object.entries(rounds)) {
    for (const [rt, rs] of Object.entries(byRt)) for (const [figure, v] of firstFigures(rs).rows) if (v !== undefined) put(rt, figure, id, v);
  }
} catch (err) {
  log(`first invoke and burst: ${err.stack ?? err}`);
  (results.errors ??= []).push({ section: 'first invoke and burst', first: String(err.message ?? err) });
}

const version = (pkg) => JSON.parse(readFileSync(join(ROOT, 'bench/peers/node_modules', pkg, 'package.json'), 'utf8')).version;
results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30), node: process.version };
results.versions = { serverless: version('serverless'), 'serverless-offline': version('serverless-offline') };
results.seconds = (performance.now() - t0) / 1000;
results.date = new Date().toISOString();
const out = report(results);
console.log(out);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
const file = join(ROOT, 'bench/results', `${results.date.slice(0, 19).replace(/:/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`\n${results.seconds.toFixed(0)} s; written ${file}`);
