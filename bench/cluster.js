// npm run bench:cluster — what dispatch across a cluster costs (docs/cluster.md, "Dispatch"):
// 3 `lambkin serve --cluster` nodes (a private nats-server, one PostgreSQL database) beside one
// single node on PostgreSQL stores (no --cluster: the same stores, so the difference is dispatch),
// on this one machine, in alternating rounds so that a loaded machine's swings hit both. Figures:
// - warm c1 p50 through the node that holds the warm environment (local) and through one that
//   does not (remote: NATS to the node holding it and back), beside the single node's;
// - inv/s at 32 in flight, spread round-robin over the 3 nodes, beside the single node's;
// - cold start through the cluster (every environment of the function stopped first) beside single;
// - per invocation: NATS messages (nats-server's in_msgs, heartbeats included) and PostgreSQL
//   transactions (pg_stat_database.xact_commit; the log and invocation records are batched).
// 3 nodes share this machine's cores: this measures overhead, not scale-out.
//   BENCH_SECONDS (per figure and target, default 10), BENCH_COLD_N (default 5),
//   LAMBKIN_BENCH_DATABASE_URL: an admin URL (role with CREATEDB; default the local one).
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { client, flood, invoke, sequential } from './lib/load.js';
import { benchDatabase } from './lib/database.js';
import { summary } from './lib/stats.js';
import { startNats } from './lib/nats.js';
import { snapshot } from './lib/usage.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const COLD_N = Number(process.env.BENCH_COLD_N ?? 5);
const ROUNDS = 2;
const NAME = 'hello-node';
const RUNTIME = 'nodejs20.x';
const log = (m) => console.error(`bench:cluster: ${m}`);
const { Postgres, parseDatabaseUrl } = await import('../dist/database/index.js');

const clusterDb = await benchDatabase();
const singleDb = await benchDatabase();
if (!clusterDb || !singleDb) process.exit(2);
const nats = await startNats();
const servers = [];
const pg = await Postgres.connect(parseDatabaseUrl(clusterDb.url), { maxConnections: 1 });
const commits = async () => Number((await pg.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()'))[0].xact_commit);

/** NAME's environments that `node` itself runs (on a cluster node the list covers every node, each tagged with its node). */
async function environmentsHere(node) {
  const all = (await (await fetch(`${node.url}/lambkin/v1/environments?function=${NAME}`)).json()).environments;
  return node.id ? all.filter((e) => e.node === node.id) : all;
}

/** Every environment of NAME on `node` stopped (the console's stop), and gone. */
async function stopEnvironments(node) {
  const list = () => environmentsHere(node);
  for (const e of await list()) await fetch(`${node.url}/lambkin/v1/environments/${e.id}`, { method: 'DELETE' });
  while ((await list()).length > 0) await new Promise((r) => setTimeout(r, 20));
}
const environmentsOn = async (node) => (await environmentsHere(node)).length;

try {
  // 32 environments starting at once on a shared machine take longer than the default 10 s init
  // timeout: the throughput figures are of warm invokes, so they may wait for them (as bench:quick).
  const common = ['--init-timeout', '120'];
  const clusterArgs = (id) => [...common, '--cluster', '--database-url', clusterDb.url, '--nats-url', nats.url, '--node-id', id];
  const single = await startServer([...common, '--database-url', singleDb.url]);
  servers.push(single);
  const n1 = await startServer(clusterArgs('node-1'));
  n1.id = 'node-1';
  servers.push(n1);
  single.lambda = client(single.url);
  n1.lambda = client(n1.url);
  // Deployed before the other nodes start: they read it as they start.
  await deploy(single.lambda, NAME, RUNTIME);
  await deploy(n1.lambda, NAME, RUNTIME);
  const [n2, n3] = await Promise.all([startServer(clusterArgs('node-2')), startServer(clusterArgs('node-3'))]);
  n2.id = 'node-2';
  n3.id = 'node-3';
  servers.push(n2, n3);
  for (const n of [n2, n3]) n.lambda = client(n.url);
  const nodes = [n1, n2, n3];
  // Every node sees the 3 (membership), then the one environment is made on node-1.
  for (const n of nodes) while ((await (await fetch(`${n.url}/lambkin/v1/nodes`)).json()).nodes.length < 3) await new Promise((r) => setTimeout(r, 50));
  log('warm-up');
  await sequential(single.lambda, NAME, 500);
  await sequential(n1.lambda, NAME, 500);
  await sequential(n2.lambda, NAME, 500);
  // Remote c1 means node-2 holds no environment of its own: every invoke it receives goes to node-1's.
  if ((await environmentsOn(n2)) !== 0) throw new Error('node-2 holds an environment after sequential invokes: dispatch is broken');

  // CPU of the platform's own processes per invoke (environments excluded: theirs is the same
  // work either way): what a loaded machine's wall-clock swings do not hide.
  const clusterPids = [...nodes.map((n) => n.pid), nats.pid];
  const targets = {
    single: { lambda: single.lambda, lat: [], pids: [single.pid], cpuMs: 0, n: 0 },
    local: { lambda: n1.lambda, lat: [], pids: clusterPids, cpuMs: 0, n: 0 },
    remote: { lambda: n2.lambda, lat: [], pids: clusterPids, cpuMs: 0, n: 0 },
  };
  const cpu = (pids) => pids.reduce((sum, pid) => sum + snapshot(pid).server.cpuMs, 0);
  // Remote c1's CPU by process: the receiving node (node-2), the running one (node-1), nats-server.
  const split = { receiver: 0, runner: 0, nats: 0 };
  const splitOf = () => ({ receiver: cpu([n2.pid]), runner: cpu([n1.pid]), nats: cpu([nats.pid]) });
  const cost = { invokes: 0, msgs: 0, commits: 0 };
  const ips = { single: { done: 0, errors: 0, secs: 0, cpuMs: 0 }, cluster: { done: 0, errors: 0, secs: 0, cpuMs: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['remote', 'local', 'single'] : ['single', 'local', 'remote'];
    for (const id of order) {
      log(`round ${round + 1}: c1 ${id}`);
      const t = targets[id];
      const until = performance.now() + (SECONDS / ROUNDS) * 1000;
      const m0 = id === 'remote' ? await nats.inMsgs() : 0;
      const c0 = id === 'remote' ? await commits() : 0;
      const cpu0 = cpu(t.pids);
      const split0 = splitOf();
      let n = 0;
      while (performance.now() < until) {
        t.lat.push(...(await sequential(t.lambda, NAME, 50)));
        n += 50;
      }
      t.cpuMs += cpu(t.pids) - cpu0;
      if (id === 'remote') for (const [k, v] of Object.entries(splitOf())) split[k] += v - split0[k];
      t.n += n;
      if (id === 'remote') {
        cost.invokes += n;
        cost.msgs += (await nats.inMsgs()) - m0;
        cost.commits += (await commits()) - c0;
      }
    }
  }
  // 32 in flight once, unmeasured, so that the rounds time warm environments, not 32 cold starts.
  await flood(single.lambda, NAME, 32, Math.max(2, SECONDS / 5));
  await Promise.all(nodes.map((n, i) => flood(n.lambda, NAME, [11, 11, 10][i], Math.max(2, SECONDS / 5))));
  for (let round = 0; round < ROUNDS; round++) {
    for (const id of round % 2 ? ['cluster', 'single'] : ['single', 'cluster']) {
      log(`round ${round + 1}: @32 ${id}`);
      const cpu0 = cpu(id === 'single' ? [single.pid] : clusterPids);
      const m0 = id === 'cluster' ? await nats.inMsgs() : 0;
      const r = id === 'single'
        ? await flood(single.lambda, NAME, 32, SECONDS / ROUNDS)
        : (await Promise.all(nodes.map((n, i) => flood(n.lambda, NAME, [11, 11, 10][i], SECONDS / ROUNDS)))).reduce((a, b) => ({ done: a.done + b.done, errors: a.errors + b.errors, firstError: a.firstError ?? b.firstError }));
      ips[id].cpuMs += cpu(id === 'single' ? [single.pid] : clusterPids) - cpu0;
      if (id === 'cluster') ips[id].msgs = (ips[id].msgs ?? 0) + (await nats.inMsgs()) - m0;
      ips[id].done += r.done;
      ips[id].errors += r.errors;
      ips[id].secs += SECONDS / ROUNDS;
      if (r.firstError) log(`@32 ${id}: ${r.errors} errors, the first: ${r.firstError}`);
    }
  }
  const clusterEnvs = (await Promise.all(nodes.map(environmentsOn))).reduce((a, b) => a + b, 0);
  const singleEnvs = await environmentsOn(single);

  // Cold starts: every environment of the function stopped, then one invoke (through node-2 for the cluster).
  // node-1 took the CreateFunction, so it has a sandbox of the function's shape pre-started;
  // node-2 makes one only once it has seen demand for it.
  const cold = { single: [], cluster: [], clusterN1: [] };
  for (let i = 0; i < COLD_N; i++) {
    for (const id of i % 2 ? ['clusterN1', 'cluster', 'single'] : ['single', 'cluster', 'clusterN1']) {
      for (const n of id === 'single' ? [single] : nodes) await stopEnvironments(n);
      const s = performance.now();
      await invoke({ single: single.lambda, cluster: n2.lambda, clusterN1: n1.lambda }[id], NAME);
      cold[id].push(performance.now() - s);
    }
  }

  const p50 = (id) => summary(targets[id].lat).p50;
  const p99 = (id) => summary(targets[id].lat).p99;
  const rate = (id) => ips[id].done / ips[id].secs;
  const f = (x) => x.toFixed(2);
  console.log(`\n${RUNTIME} hello, ${SECONDS} s per figure and target in ${ROUNDS} alternating rounds, ${COLD_N} cold starts each; 3 cluster nodes and the single node share this machine`);
  console.log('| figure | single node | cluster | cluster − single |');
  console.log('|---|---|---|---|');
  console.log(`| warm c1 p50 ms, through the node with the environment | ${f(p50('single'))} | ${f(p50('local'))} | ${(p50('local') - p50('single')) >= 0 ? '+' : ''}${f(p50('local') - p50('single'))} ms |`);
  console.log(`| warm c1 p50 ms, through a node without it (remote) | ${f(p50('single'))} | ${f(p50('remote'))} | ${(p50('remote') - p50('single')) >= 0 ? '+' : ''}${f(p50('remote') - p50('single'))} ms (target ≤ +0.30) |`);
  console.log(`| warm c1 p99 ms, local / remote | ${f(p99('single'))} | ${f(p99('local'))} / ${f(p99('remote'))} | |`);
  const us = (id) => ((targets[id].cpuMs / targets[id].n) * 1000).toFixed(0);
  console.log(`| platform CPU per warm c1 invoke µs (lambkin processes + nats-server) | ${us('single')} | ${us('local')} local / ${us('remote')} remote | |`);
  const usOf = (ms) => ((ms / targets.remote.n) * 1000).toFixed(0);
  console.log(`| of which remote: receiving node / running node / nats-server µs | | ${usOf(split.receiver)} / ${usOf(split.runner)} / ${usOf(split.nats)} | |`);
  const us32 = (id) => ((ips[id].cpuMs / ips[id].done) * 1000).toFixed(0);
  console.log(`| platform CPU per invoke @32 µs (lambkin processes + nats-server) | ${us32('single')} | ${us32('cluster')} | |`);
  console.log(`| NATS messages per invoke @32 (heartbeats and log feed included) | | ${(ips.cluster.msgs / ips.cluster.done).toFixed(2)} | |`);
  console.log(`| inv/s @32 (cluster: spread over 3 nodes) | ${rate('single').toFixed(0)} | ${rate('cluster').toFixed(0)} | ×${(rate('cluster') / rate('single')).toFixed(2)} (target ≥ ×0.70) |`);
  console.log(`| errors @32 | ${ips.single.errors} | ${ips.cluster.errors} | |`);
  console.log(`| environments after @32 | ${singleEnvs} | ${clusterEnvs} (all nodes) | |`);
  console.log(`| cold start p50 ms (cluster: through node-2 / node-1) | ${f(summary(cold.single).p50)} | ${f(summary(cold.cluster).p50)} / ${f(summary(cold.clusterN1).p50)} | |`);
  console.log(`\nPer remote warm invocation: ${(cost.msgs / cost.invokes).toFixed(2)} NATS messages (heartbeats of 3 nodes included), ` +
    `${(cost.commits / cost.invokes).toFixed(3)} PostgreSQL commits (log and invocation records, batched) over ${cost.invokes} invokes`);
} finally {
  await pg.close();
  for (const s of servers.reverse()) await s.stop();
  await nats.stop();
  await clusterDb.drop().catch(() => undefined);
  await singleDb.drop().catch(() => undefined);
}
