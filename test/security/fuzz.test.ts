// Bad input, at scale: LAMBKIN_FUZZ_PER_ROUTE generated malformed requests to every route of the
// main listener (fuzz-routes.ts: the Lambda, CloudWatch Logs, lambkin and console APIs, function
// URLs, the console's files), from fuzz-cases.ts. Zero 5xx (but a function URL's 502 when the
// fuzz broke its function), zero dropped connections, no stack trace in any answer, the server
// alive and serving after, and its memory back near where it started. Then raw TCP garbage
// (fuzz-raw.ts: 5 per route) and slow clients (headers or a body a byte at a time, or silence),
// which the server must cut off on its own while it keeps answering. `npm test` runs a short pass
// (40 per route, 2,000+ requests); `npm run fuzz` the long one (1,000 per route). FUZZ_SEED=<n>
// replays a run; FUZZ_KIND_TIMES=1|route prints where time went.
import { request, Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AddLayerVersionPermissionCommand, CreateFunctionUrlConfigCommand, ListFunctionsCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { CreateLogGroupCommand, CreateLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { zip } from '../helpers/zip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startLambkin, type Lambkin } from '../helpers/server.js';
import { deploy, stillServes, waitFor } from './hostile.js';
import { listenerRoutes, type RouteSpec } from './fuzz-routes.js';
import { rawCase, sendRaw, slowSend } from './fuzz-raw.js';
import { fuzzRequest, makePayloads, rng, type FuzzRequest, type Payloads } from './fuzz-cases.js';

const PER_ROUTE = Number(process.env.LAMBKIN_FUZZ_PER_ROUTE ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = 16;
/** 7 MB bodies per run: enough to exercise the limits, few enough not to spend the run copying bytes. */
const HEAVY_MAX = 40;
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 10_000;
const STACK_TRACE = /\bat .*(\/src\/|\/dist\/|node:internal)|\.(ts|js):\d+:\d+\)/;

interface Outcome {
  readonly status?: number;
  readonly error?: string;
  readonly body: string;
}

let lk: Lambkin;
let routes: RouteSpec[];
let payloads: Payloads;
const agent = new Agent({ keepAlive: process.env.FUZZ_KEEPALIVE !== "0", maxSockets: CONCURRENCY });

beforeAll(async () => {
  // Short connection timeouts, so that the slow clients below are cut off within the test.
  lk = await startLambkin({ env: { LAMBKIN_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), LAMBKIN_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
  await deploy(lk.lambda, 'fz-echo', 'exports.lambda_handler = async (e) => ({ ok: true });');
  await deploy(lk.lambda, 'bystander', 'exports.lambda_handler = async (event) => ({ ok: true, event });');
  // A streaming function behind a RESPONSE_STREAM URL: InvokeWithResponseStream and streamed URLs get fuzzed too.
  await deploy(lk.lambda, 'fz-stream', "exports.lambda_handler = awslambda.streamifyResponse(async (e, s) => { s.write('a'); s.end(JSON.stringify(e).slice(0, 100)); });");
  for (const name of ['fz-echo', 'bystander']) await lk.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }));
  // A layer version for the layer routes to find (fz-layer:1), with a policy statement.
  await lk.lambda.send(new PublishLayerVersionCommand({ LayerName: 'fz-layer', Content: { ZipFile: zip({ 'nodejs/x.js': '1' }) } }));
  await lk.lambda.send(new AddLayerVersionPermissionCommand({ LayerName: 'fz-layer', VersionNumber: 1, StatementId: 'sid-1', Action: 'lambda:GetLayerVersion', Principal: '*' }));
  await lk.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'fz-stream', AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }));
  // A group and a stream for PutLogEvents to reach the store with (fuzz-cases.ts putLogEventsBody).
  await lk.logs.send(new CreateLogGroupCommand({ logGroupName: '/fz/put' }));
  await lk.logs.send(new CreateLogStreamCommand({ logGroupName: '/fz/put', logStreamName: 'fz' }));
  routes = listenerRoutes(join(ROOT, 'src/api'));
  payloads = makePayloads();
}, 120_000);
afterAll(async () => {
  agent.destroy();
  await lk?.stop();
});

function send(url: URL, req: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers['content-length'] = req.body.length;
    let settled = false;
    const done = (o: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const r = request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent }, (res) => {
      let body = '';
      // Streaming endpoints (live tail) never end: the status is what is judged.
      const type = String(res.headers['content-type']);
      const streaming = type.startsWith('text/event-stream') || type === 'application/vnd.amazon.eventstream';
      const cut = setTimeout(() => {
        res.destroy();
        done({ status: res.statusCode, body });
      }, streaming ? 200 : 10_000);
      res.on('data', (c: Buffer) => {
        if (body.length < 16_384) body += c.toString('utf8');
      });
      res.on('end', () => {
        clearTimeout(cut);
        done({ status: res.statusCode, body });
      });
      res.on('error', () => undefined);
    });
    r.setTimeout(120_000, () => r.destroy(new Error('no answer within 120 s')));
    r.on('error', (err) => done({ error: (err as NodeJS.ErrnoException).code ?? err.message, body: '' }));
    r.end(req.body);
  });
}

function rssMb(): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${lk.proc.pid}/status`, 'utf8'))![1]) / 1024;
}

describe('fuzz: malformed requests to every API route', () => {
  it(`${PER_ROUTE} per route: no 5xx, no dropped connection, no stack trace, the server intact`, async () => {
    expect(routes.length).toBeGreaterThanOrEqual(20); // the route reader still finds them
    for (const surface of ['/2015-03-31/functions', '/', '/lambkin/v1/overview', '/url/{name}/{path}', '/console/{path}', '/2021-11-15/functions/{name}/response-streaming-invocations', '/lambkin/v1/functions/{name}/debug']) {
      expect(routes.map((r) => r.pattern)).toContain(surface);
    }
    const url = new URL(lk.url);
    const r = rng(SEED);
    // Warm up (JIT, first environments), then take the memory baseline.
    for (let i = 0; i < 200; i++) await send(url, fuzzRequest(r, routes[i % routes.length]!, payloads, false));
    await stillServes(lk.lambda);
    const baseline = rssMb();

    const jobs: RouteSpec[] = [];
    for (let i = 0; i < PER_ROUTE; i++) for (const route of routes) jobs.push(route);
    const statuses = new Map<number | string, number>();
    const bad: string[] = [];
    let heavy = 0;
    const kindTime = new Map<string, [number, number]>();
    let peak = baseline;
    const started = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const route = jobs[next++]!;
        const req = fuzzRequest(r, route, payloads, heavy < HEAVY_MAX);
        if (req.kind === '7mb') heavy++;
        const t0 = performance.now();
        const out = await send(url, req);
        const k = process.env.FUZZ_KIND_TIMES === 'route' ? `${route.method} ${route.pattern}` : req.kind.split(',')[0]!;
        const kt = kindTime.get(k) ?? [0, 0];
        kindTime.set(k, [kt[0] + 1, kt[1] + performance.now() - t0]);
        const key = out.status ?? out.error!;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const describe = `${req.method} ${req.path.slice(0, 160)} [${req.kind}] → ${key} ${out.body.slice(0, 300)}`;
        const refusedByHttp = req.protocolError && (out.status === 400 || out.status === 431 || out.error === 'ECONNRESET' || out.error === 'EPIPE');
        // A function URL answers 502 when its function fails: the fuzz may have broken fz-echo's code.
        const functionFailed = out.status === 502 && req.path.startsWith('/url/') && out.body === '{"Message":"Internal Server Error"}';
        if ((out.error && !refusedByHttp) || (out.status! >= 500 && !functionFailed) || STACK_TRACE.test(out.body)) bad.push(describe);
        if (next % 2000 === 0) peak = Math.max(peak, rssMb());
      }
    }));
    const seconds = (Date.now() - started) / 1000;

    // Alive and serving.
    expect(lk.proc.exitCode).toBeNull();
    await stillServes(lk.lambda);
    // (fz-echo may well have been deleted or changed by a well-formed request among the fuzz.)
    expect((await lk.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toContain('bystander');
    // Memory back near the start (V8 returns freed pages lazily: poll, don't demand it at once).
    const after = await waitFor('server memory back near its baseline', () => {
      const now = rssMb();
      return now <= baseline + 150 ? now : undefined;
    }, 60_000).catch(() => rssMb());

    const summary = [...statuses].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, n]) => `${k}: ${n}`).join(', ');
    console.log(
      `fuzz seed ${SEED}: ${jobs.length} requests over ${routes.length} routes in ${seconds.toFixed(1)} s ` +
      `(${(jobs.length / seconds).toFixed(0)}/s); statuses ${summary}; server RSS ${baseline.toFixed(0)} MB before, ` +
      `${peak.toFixed(0)} MB peak, ${after.toFixed(0)} MB after`,
    );
    if (process.env.FUZZ_KIND_TIMES) console.log([...kindTime].map(([k, [n, ms]]) => `${k}: ${n} × ${(ms / n).toFixed(1)} ms`).join('\n'));
    expect(bad.slice(0, 20)).toEqual([]);
    expect(after).toBeLessThanOrEqual(baseline + 150);
  }, 1_800_000);

  it(`${PER_ROUTE * 5} raw TCP garbage connections: answered 4xx or closed, never 5xx; the server intact`, async () => {
    const port = Number(new URL(lk.url).port);
    const r = rng(SEED + 1);
    const total = PER_ROUTE * 5;
    const kinds = new Map<string, number>();
    const bad: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        next++;
        const c = rawCase(r, routes);
        kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
        const out = await sendRaw(port, c.bytes);
        const shown = `[${c.kind}] ${JSON.stringify(c.bytes.subarray(0, 120).toString('latin1'))} → ${out.statuses.join(',') || 'no answer'}${out.closedByServer ? '' : ', never closed'}`;
        if (!out.closedByServer || out.statuses.some((s) => s >= 500) || STACK_TRACE.test(out.text)) bad.push(shown);
      }
    }));
    console.log(`raw fuzz seed ${SEED + 1}: ${total} connections; ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    expect(bad.slice(0, 20)).toEqual([]);
    expect(lk.proc.exitCode).toBeNull();
    await stillServes(lk.lambda);
  }, 600_000);

  it('slow clients (headers or a body a byte at a time, or silence) are cut off, and everyone else is answered meanwhile', async () => {
    const port = Number(new URL(lk.url).port);
    const head = Buffer.from(`POST /2015-03-31/functions/bystander/invocations HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(2_000)}\r\n\r\n`);
    const bodyHead = Buffer.from('POST /2015-03-31/functions/bystander/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n');
    const slowHeads = Array.from({ length: 100 }, () => slowSend(port, head, 100));
    const silent = Array.from({ length: 50 }, () => slowSend(port, Buffer.alloc(0), 1000));
    // Their headers at once, then the body a byte every 100 ms.
    const slowBodies = Array.from({ length: 50 }, () => slowSend(port, Buffer.alloc(5000, 0x20), 100, bodyHead));
    const all = [...slowHeads, ...silent, ...slowBodies];
    try {
      // Meanwhile the server answers as usual.
      await stillServes(lk.lambda);
      expect((await lk.lambda.send(new ListFunctionsCommand({}))).Functions?.length).toBeGreaterThan(0);
      await waitFor('every slow client to be cut off by the server', () => (all.every((s) => s.closed()) ? true : undefined), 60_000);
    } finally {
      all.forEach((s) => { s.stop(); });
    }
    expect(slowHeads.every((s) => s.sent() < head.length)).toBe(true);
    expect(slowBodies.filter((s) => !/^HTTP\/1\.1 408 /.test(s.text()))).toHaveLength(0);
    expect(lk.proc.exitCode).toBeNull();
    await stillServes(lk.lambda);
  }, 120_000);
});
