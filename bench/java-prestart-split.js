// node bench/java-prestart-split.js [N] — where a Java cold start's time goes, pre-started or not:
// the runtime launched as src/runtimes/java.ts does (outside any sandbox, over TCP to a fake
// Runtime API, the bench's hello handler), wall time and the JVM's CPU (utime+stime from
// /proc/<pid>/stat, 10 ms ticks) up to its first GET /next; a pre-started one is given 4 s to boot
// and wait, and is measured from the moment its environment is written. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const WT = fileURLToPath(new URL('..', import.meta.url));
const { findRuntime } = await import(join(WT, 'dist/runtimes/catalogue.js'));
const JAVA = findRuntime('java17');
const { javaHello } = await import(join(WT, 'bench/lib/hello-builds.js'));
const task = mkdtempSync(join(tmpdir(), 'lambkin-bench-java-task-'));
for (const [f, { data }] of Object.entries(javaHello())) {
  mkdirSync(dirname(join(task, f)), { recursive: true });
  writeFileSync(join(task, f), data);
}
/** CPU ms of a process so far (utime + stime). */
const cpu = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const N = Number(process.argv[2] ?? 6);
const rows = { plain: [], pooled: [] };
for (let i = 0; i < N; i++) {
  for (const mode of i % 2 ? ['pooled', 'plain'] : ['plain', 'pooled']) {
    let onNext;
    const firstNext = new Promise((r) => (onNext = r));
    const server = createServer((req, res) => {
      if (req.url.endsWith('/next')) { onNext(); res.writeHead(200, { 'lambda-runtime-aws-request-id': 'r1', 'lambda-runtime-deadline-ms': String(Date.now() + 60000) }); res.end('{"name":"x"}'); }
      else { res.end(); }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const launch = JAVA.launch({ taskRoot: task, runtimeDir: join(WT, 'runtimes'), memoryMb: 256 });
    const fnEnv = { PATH: process.env.PATH, _HANDLER: 'example.Hello::handleRequest', LAMBDA_TASK_ROOT: task, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${server.address().port}`, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256' };
    const env = mode === 'pooled' ? { PATH: process.env.PATH, _LAMBKIN_PRESTART: '1' } : fnEnv;
    const t0 = performance.now();
    const p = spawn(launch.command, launch.args, { cwd: task, env, stdio: [mode === 'pooled' ? 'pipe' : 'ignore', 'ignore', 'inherit'] });
    let bootCpu = 0;
    let t = t0;
    if (mode === 'pooled') {
      await new Promise((r) => setTimeout(r, 4000)); // booted and waiting
      bootCpu = cpu(p.pid);
      t = performance.now();
      p.stdin.end(JSON.stringify(fnEnv) + '\n');
    }
    await firstNext;
    const wall = performance.now() - t;
    const c = cpu(p.pid) - bootCpu;
    rows[mode].push({ wall, cpu: c, bootCpu });
    p.kill('SIGKILL');
    server.close();
  }
}
rmSync(task, { recursive: true, force: true });
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (const [m, r] of Object.entries(rows)) console.log(m, 'to first /next: wall p50', med(r.map((x) => x.wall)).toFixed(1), 'ms, JVM CPU p50', med(r.map((x) => x.cpu)), 'ms', m === 'pooled' ? `(CPU spent before the claim p50 ${med(r.map((x) => x.bootCpu))} ms)` : '', JSON.stringify(r.map((x) => Math.round(x.wall))));
