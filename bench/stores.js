// npm run bench:stores — one lambkin on SQLite (the default) beside one on PostgreSQL
// (--database-url), same machine, same sandbox, rounds alternating so that noise hits both: warm
// sequential latency (p50, p99) and throughput at 32 in flight, for Node.js hello. The invoke
// path reads the function from memory on both, so the two should be within noise of each other.
//   LAMBKIN_BENCH_DATABASE_URL (or LAMBKIN_TEST_DATABASE_URL): an admin URL (role with CREATEDB);
//   a database lambkin_bench_<random> is made for the run and dropped after it.
//   BENCH_SECONDS=10 (per figure and server), BENCH_SCALE=0.2 for a quick look.
import { randomBytes } from 'node:crypto';
import { startServer } from './lib/server.js';
import { deploy } from './lib/functions.js';
import { client, flood, sequential } from './lib/load.js';
import { summary } from './lib/stats.js';

const { Postgres, parseDatabaseUrl, withDatabase } = await import('../dist/database/index.js');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10) * SCALE;
const ROUNDS = 2;
const WARMUP = Math.max(200, Math.round(1000 * SCALE));
const RUNTIME = 'nodejs20.x';
const NAME = 'hello-node';
const raw = process.env.LAMBKIN_BENCH_DATABASE_URL ?? process.env.LAMBKIN_TEST_DATABASE_URL;
if (!raw) {
  console.error('bench:stores needs LAMBKIN_BENCH_DATABASE_URL (or LAMBKIN_TEST_DATABASE_URL): a PostgreSQL URL of a role with CREATEDB');
  process.exit(2);
}
const admin = parseDatabaseUrl(raw);
const dbName = `lambkin_bench_${randomBytes(6).toString('hex')}`;
const log = (m) => console.error(`bench:stores: ${m}`);

async function onAdmin(sql) {
  const pg = await Postgres.connect(admin, { maxConnections: 1 });
  try {
    await pg.execute(sql);
  } finally {
    await pg.close();
  }
}

await onAdmin(`CREATE DATABASE ${dbName}`);
const servers = [];
try {
  const sqlite = await startServer(['--sandbox', 'namespace']);
  servers.push(sqlite);
  const pg = await startServer(['--sandbox', 'namespace', '--database-url', withDatabase(admin, dbName).url]);
  servers.push(pg);
  const targets = [{ id: 'lambkin (sqlite)', server: sqlite }, { id: 'lambkin pg', server: pg }];
  for (const t of targets) {
    t.lambda = client(t.server.url);
    await deploy(t.lambda, NAME, RUNTIME);
    log(`warm-up ${t.id}`);
    await sequential(t.lambda, NAME, WARMUP);
    t.lat = [];
    t.done = 0;
    t.secs = 0;
    t.errors = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of round % 2 ? [...targets].reverse() : targets) {
      log(`round ${round + 1}: ${t.id} c1`);
      const until = performance.now() + (SECONDS / ROUNDS) * 1000;
      while (performance.now() < until) t.lat.push(...(await sequential(t.lambda, NAME, 50)));
      log(`round ${round + 1}: ${t.id} @32`);
      const r = await flood(t.lambda, NAME, 32, SECONDS / ROUNDS);
      t.done += r.done;
      t.errors += r.errors;
      t.secs += SECONDS / ROUNDS;
    }
  }
  const rows = targets.map((t) => ({ id: t.id, p50: summary(t.lat).p50, p99: summary(t.lat).p99, ips: t.done / t.secs, errors: t.errors }));
  const [s, p] = rows;
  const pct = (a, b) => `${(((b - a) / a) * 100).toFixed(1)} %`;
  console.log(`\n${RUNTIME} hello, ${SECONDS} s per figure and server, ${ROUNDS} alternating rounds`);
  console.log('| figure | lambkin (sqlite) | lambkin pg | pg vs sqlite |');
  console.log('|---|---|---|---|');
  console.log(`| warm c1 p50 ms | ${s.p50.toFixed(2)} | ${p.p50.toFixed(2)} | ${pct(s.p50, p.p50)} |`);
  console.log(`| warm c1 p99 ms | ${s.p99.toFixed(2)} | ${p.p99.toFixed(2)} | ${pct(s.p99, p.p99)} |`);
  console.log(`| inv/s @32 | ${s.ips.toFixed(0)} | ${p.ips.toFixed(0)} | ${pct(s.ips, p.ips)} |`);
  console.log(`| errors | ${s.errors} | ${p.errors} | |`);
  for (const t of targets) t.lambda.destroy();
} finally {
  for (const s of servers) await s.stop();
  await onAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
