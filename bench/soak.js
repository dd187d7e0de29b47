// npm run soak — issue 14's soak: 32 invokes in flight over four well-behaved functions while one
// hostile function and hostile callers loop through every attack of the issue at once
// (soak/attacks.js), for SOAK_SECONDS (default 600). It reports, and judges:
//   - the server's RSS after warm-up stays within ±10 % of its median;
//   - nothing leaks: fds, processes, cgroups, mounts, run folders, /tmp entries — counted with every
//     environment stopped, before and after — and nothing is left once the server has stopped;
//   - the well-behaved functions' warm p50 stays within 2× a quiet run's (same server, before).
// SOAK_QUIET_SECONDS (default 30) sets the quiet run, SOAK_SKIP=1,3 leaves items out. Exit status 1 when a judgement fails.
import { request } from 'node:http';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { startServer, ROOT } from './lib/server.js';
import { summary, ms } from './lib/stats.js';
import { alive, census, cgroupFolders, rssMb, strayProcesses } from './soak/census.js';
import { attacks, runAttacks } from './soak/attacks.js';
import { deployAll, GOOD } from './soak/functions.js';

const SOAK_S = Number(process.env.SOAK_SECONDS ?? 600);
const QUIET_S = Number(process.env.SOAK_QUIET_SECONDS ?? 30);
const IN_FLIGHT = 32;
/** SOAK_SKIP=1,3: leave those items out (to find which attack a failure comes from). */
const SKIP = (process.env.SOAK_SKIP ?? '').split(',').filter(Boolean).map(Number);
// The first fifth (at most 2 min): V8 sizes its heap and the caches fill while every attack runs its first rounds.
const WARMUP_S = Math.min(120, SOAK_S / 5);
const credentials = { accessKeyId: 'soak', secretAccessKey: 'soak-secret-key' };
const { signerFor } = await import(`${ROOT}/dist/client/index.js`);
const sign = signerFor(credentials);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const server = await startServer([], { LAMBKIN_ACCESS_KEY_ID: credentials.accessKeyId, LAMBKIN_SECRET_ACCESS_KEY: credentials.secretAccessKey });
const common = { endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 };
const handler = () => new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }), requestTimeout: 60_000, throwOnRequestTimeout: true });
const lambda = new LambdaClient({ ...common, requestHandler: handler() });
const hostileLambda = new LambdaClient({ ...common, requestHandler: handler() });
const logs = new CloudWatchLogsClient({ ...common, requestHandler: handler() });

/** A signed request to the console API; resolves with status and size of the answer. */
async function signed(method, path) {
  const s = await sign({ method, url: new URL(path, server.url), headers: { host: new URL(server.url).host } });
  return new Promise((resolve, reject) => {
    const req = request(s.url, { method, headers: s.headers }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.once('end', () => resolve({ status: res.statusCode, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A live tail that is opened and then never read: the server's buffers are all that moves. */
async function stalledTail(fn) {
  const s = await sign({ method: 'GET', url: new URL(`/lambkin/v1/tail?function=${fn}`, server.url), headers: { host: new URL(server.url).host } });
  return new Promise((resolve) => {
    const req = request(s.url, { method: 'GET', headers: s.headers }, (res) => {
      res.pause();
      resolve(req);
    });
    req.on('error', () => resolve(req));
    req.end();
  });
}

/** IN_FLIGHT loops over the good functions until `until`; latencies (ms) per function. */
async function goodLoad(until) {
  const names = Object.keys(GOOD);
  const lat = Object.fromEntries(names.map((n) => [n, []]));
  let errors = 0;
  let firstError;
  const payload = new TextEncoder().encode('{"name":"soak"}');
  await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, i) => {
    const name = names[i % names.length];
    while (performance.now() < until) {
      const t = performance.now();
      try {
        const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload }));
        if (r.FunctionError) throw new Error(Buffer.from(r.Payload).toString().slice(0, 200));
        lat[name].push(performance.now() - t);
      } catch (err) {
        errors++;
        firstError ??= `${name}: ${err.name}: ${String(err.message).slice(0, 200)}`;
        await sleep(50);
      }
    }
  }));
  return { lat, errors, firstError };
}

/** Stop every environment and wait until none is left (and the pre-started pool has settled). */
async function quiesce() {
  for (let round = 0; round < 60; round++) {
    const list = JSON.parse(await getText('/lambkin/v1/environments'));
    const envs = list.environments ?? list;
    if (envs.length === 0) break;
    for (const e of envs) await signed('DELETE', `/lambkin/v1/environments/${e.id}`);
    await sleep(500);
  }
  await sleep(3_000);
}

async function getText(path) {
  const s = await sign({ method: 'GET', url: new URL(path, server.url), headers: { host: new URL(server.url).host } });
  return new Promise((resolve, reject) => {
    request(s.url, { headers: s.headers }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.once('end', () => resolve(t));
    }).on('error', reject).end();
  });
}

const verdicts = [];
const judge = (what, ok, detail) => verdicts.push({ what, ok, detail });

try {
  await deployAll(lambda);
  process.stderr.write(`soak: quiet run, ${QUIET_S} s at ${IN_FLIGHT} in flight\n`);
  await goodLoad(performance.now() + 5_000); // warm every function first
  const quiet = await goodLoad(performance.now() + QUIET_S * 1000);
  await quiesce();
  const before = census(server.pid, server.dataDir, Number(new URL(server.url).port));

  process.stderr.write(`soak: ${SOAK_S} s of load with every attack at once\n`);
  const start = performance.now();
  const until = start + SOAK_S * 1000;
  const samples = [];
  const sampler = setInterval(() => {
    const c = census(server.pid, server.dataDir, Number(new URL(server.url).port));
    samples.push({ t: (performance.now() - start) / 1000, ...rssMb(server.pid), fds: c.fds, connections: c.connections, processes: c.processes });
  }, 5_000);
  const ctx = { lambda: hostileLambda, logs, url: server.url, signed, stalledTail };
  const list = attacks(ctx).filter((a) => !SKIP.includes(a.item));
  const [load, attackStats] = await Promise.all([goodLoad(until), runAttacks(list, until)]);
  clearInterval(sampler);
  judge('the server never exited', alive(server.pid), alive(server.pid) ? 'alive after every attack' : 'the server process is gone');
  if (!alive(server.pid)) throw new Error('the server died during the soak');

  await quiesce();
  const after = census(server.pid, server.dataDir, Number(new URL(server.url).port));

  // ---- report ----
  const rows = Object.keys(GOOD).map((n) => {
    const q = summary(quiet.lat[n]).p50;
    const s = summary(load.lat[n]).p50;
    judge(`${n} warm p50 within 2× quiet`, s <= 2 * q, `${ms(s)} vs ${ms(q)} ms`);
    return `  ${n.padEnd(18)} quiet p50 ${ms(q).padStart(7)} ms   soak p50 ${ms(s).padStart(7)} ms   p99 ${ms(summary(load.lat[n]).p99).padStart(8)} ms   n=${load.lat[n].length}`;
  });
  const steady = samples.filter((s) => s.t >= WARMUP_S).map((s) => s.rss).sort((a, b) => a - b);
  const median = steady[Math.floor(steady.length / 2)] ?? 0;
  const lo = steady[0] ?? 0;
  const hi = steady[steady.length - 1] ?? 0;
  judge('server RSS within ±10 % after warm-up', lo >= median * 0.9 && hi <= median * 1.1,
    `median ${median.toFixed(0)} MB, min ${lo.toFixed(0)}, max ${hi.toFixed(0)} (${samples.length} samples, warm-up ${WARMUP_S} s)`);
  for (const k of Object.keys(before).filter((k) => k !== 'spares' && k !== 'connections')) {
    // /tmp is the machine's: other processes come and go there; only growth is counted. The
    // server's descriptors to a spare sandbox are not all told apart (a few per spare stay counted,
    // and how many spares are kept varies): for fds, only growth is a leak.
    const ok = k === 'tmpEntries' ? after[k] <= before[k] + 2 : k === 'fds' ? after[k] <= before[k] : after[k] === before[k];
    judge(`no ${k} leak`, ok, `${before[k]} before, ${after[k]} after`);
  }
  // Level, not swings: the median of each minute after warm-up against the median of them all.
  const minutes = [];
  for (let m = Math.ceil(WARMUP_S / 60); m < SOAK_S / 60; m++) {
    const inMinute = samples.filter((s) => s.t >= m * 60 && s.t < (m + 1) * 60).map((s) => s.rss).sort((a, b) => a - b);
    if (inMinute.length) minutes.push(inMinute[Math.floor(inMinute.length / 2)]);
  }
  const level = (f) => (median ? `${Math.round((f - median) / median * 100)} %` : '-');
  judge('server RSS per-minute medians within ±10 %', minutes.every((m) => m >= median * 0.9 && m <= median * 1.1),
    `${minutes.map((m) => m.toFixed(0)).join(' ')} MB (from ${level(Math.min(...minutes))} to ${level(Math.max(...minutes))}); no growth from first to last: ${minutes.length ? level(minutes[0]) : '-'} → ${minutes.length ? level(minutes[minutes.length - 1]) : '-'}`);
  judge('client connections counted apart', true, `${before.connections} before, ${after.connections} after (the soak's own keep-alive sockets)`);
  judge('pre-started spares counted apart', true, `${before.spares} before, ${after.spares} after (how many are kept follows demand)`);
  judge('well-behaved invokes all answered', load.errors === 0, load.errors ? `${load.errors} failed; first: ${load.firstError}` : '0 failed');

  console.log(`\nlambkin soak: ${SOAK_S} s, ${IN_FLIGHT} in flight over ${Object.keys(GOOD).length} functions, every attack at once\n`);
  console.log(rows.join('\n'));
  console.log(`  good invokes: ${Object.values(load.lat).reduce((s, l) => s + l.length, 0)} answered, ${load.errors} failed${load.firstError ? ` (first: ${load.firstError})` : ''}`);
  console.log('\n  attacks (item, rounds, errors seen by the attacker):');
  judge('no attack left hanging', attackStats.every((a) => !a.hung), attackStats.filter((a) => a.hung).map((a) => `item ${a.item}: ${a.hung}`).join(', ') || 'every round answered');
  for (const a of attackStats) console.log(`    ${String(a.item).padStart(2)}  ${a.name.padEnd(52)} ${String(a.rounds).padStart(5)} ${String(a.errors).padStart(5)}${a.hung ? ` (${a.hung} hung)` : ''}${a.firstError ? `  ${a.firstError}` : ''}`);
  console.log('\n  server RSS (MB) every 5 s: ' + samples.map((s) => s.rss.toFixed(0)).join(' '));
  console.log('    of which anonymous:      ' + samples.map((s) => s.anon.toFixed(0)).join(' '));
  console.log('  server fds every 5 s (client connections apart): ' + samples.map((s) => s.fds).join(' '));
  console.log('  client connections every 5 s:                   ' + samples.map((s) => s.connections).join(' '));
} catch (err) {
  process.stderr.write(`soak: ${err.message}\n`);
} finally {
  lambda.destroy();
  hostileLambda.destroy();
  logs.destroy();
  if (alive(server.pid)) await server.stop();
}
const left = { cgroups: cgroupFolders(server.pid), processes: strayProcesses(server.pid) };
judge('nothing left after the server stopped', left.cgroups === 0 && left.processes === 0, `${left.cgroups} cgroup folders, ${left.processes} processes in lambkin cgroups`);
console.log('\n  judgement:');
for (const v of verdicts) console.log(`    ${v.ok ? 'PASS' : 'FAIL'}  ${v.what.padEnd(44)} ${v.detail}`);
process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
