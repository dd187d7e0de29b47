// The egress policy (issue 14, item 14). The test makes its own hosts: a network namespace behind a
// veth pair, holding 10.213.<x>.2 (a private address), 203.0.113.<x> (TEST-NET-3: "public" to the
// policy) and 169.254.169.254 (the cloud metadata address), routed there from this host, with a
// small TCP server on all of them. No packet of this test goes anywhere else: even a metadata
// request the filter failed to stop would land on the test's own host. Shown from inside real
// sandboxes: the default (public) reaches the public host only, not the private one, the metadata
// address or this host's own address; `all` reaches everything; an allow-list entry opens one
// private address; `none` reaches nothing; and the function cannot remove its filter.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { runCli } from '../helpers/cli.js';
import { LambkinClient } from '../../src/client/index.js';
import { call, deploy, stillServes, ECHO_NODE, TALK_NODE } from './hostile.js';

const X = randomInt(1, 250);
const HOST_IF = `lkh${X}`;
const PEER_IF = `lkp${X}`;
const PRIVATE = `10.213.${X}.2`;
const PUBLIC = `203.0.113.${X}`;
const METADATA = '169.254.169.254';
const PORT = 8080;

const PROBE = `
const { execFileSync } = require('node:child_process');
${TALK_NODE}
exports.lambda_handler = async (e) => {
  const out = {};
  for (const [name, host, port] of e.targets) out[name] = await talk(host, port);
  if (e.tamper) {
    try { execFileSync('/usr/sbin/nft', ['flush', 'ruleset'], { stdio: 'pipe' }); out.tamper = 'flushed'; }
    catch (err) { out.tamper = String(err.stderr || err.message).trim(); }
    out.afterTamper = await talk(e.targets[0][1], e.targets[0][2]);
  }
  return out;
};`;

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' }).toString();
let lk: Lambkin;
let testHost: ChildProcess | undefined;
let own: Server;
let ownAddress: string;

beforeAll(async () => {
  // The test host is a process in a network namespace of its own (unshare -n): no named netns, no
  // mounts under /run/netns, and the namespace ends with the process.
  testHost = spawn('unshare', ['-n', process.execPath, '-e',
    `require('node:net').createServer((s) => s.end('hello from ' + s.localAddress)).listen(${PORT}, '0.0.0.0', () => console.log('up'))`],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    testHost!.stdout!.once('data', () => resolve());
    testHost!.once('exit', (code) => reject(new Error(`the test host's server exited (${code})`)));
  });
  const inside = (...args: string[]) => sh('nsenter', `--net=/proc/${testHost!.pid}/ns/net`, '--', 'ip', ...args);
  sh('ip', 'link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', PEER_IF);
  sh('ip', 'link', 'set', PEER_IF, 'netns', String(testHost.pid));
  sh('ip', 'addr', 'add', `10.213.${X}.1/30`, 'dev', HOST_IF);
  sh('ip', 'link', 'set', HOST_IF, 'up');
  for (const a of [`${PRIVATE}/30`, `${PUBLIC}/32`, `${METADATA}/32`]) inside('addr', 'add', a, 'dev', PEER_IF);
  inside('link', 'set', PEER_IF, 'up');
  inside('link', 'set', 'lo', 'up');
  sh('ip', 'route', 'add', `${PUBLIC}/32`, 'via', PRIVATE);
  sh('ip', 'route', 'add', `${METADATA}/32`, 'via', PRIVATE);
  // A server on this machine's own non-loopback address: the default policy refuses it too.
  ownAddress = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal && !i.address.startsWith('10.213.'))!.address;
  own = createServer((s) => s.end('hello from the host itself'));
  await new Promise<void>((resolve) => own.listen(0, ownAddress, resolve));
  lk = await startLambkin();
}, 60_000);

afterAll(async () => {
  await lk?.stop();
  own?.close();
  testHost?.kill();
  for (const args of [['route', 'del', `${PUBLIC}/32`], ['route', 'del', `${METADATA}/32`], ['link', 'del', HOST_IF]]) {
    try {
      sh('ip', ...args);
    } catch {
      // already gone (deleting the veth takes its routes with it)
    }
  }
});

const targets = () => [
  ['private', PRIVATE, PORT], ['public', PUBLIC, PORT], ['metadata', METADATA, PORT],
  ['host', ownAddress, (own.address() as { port: number }).port],
];
/** What connect() gets from the filter: at once, not a timeout. */
const REFUSED = 'error:EHOSTUNREACH';
const hello = (addr: string) => `got:hello from ${addr}`;

async function egressOf(name: string, policy?: { Mode?: 'public' | 'all' | 'none'; Allow?: string[] }): Promise<Record<string, string>> {
  await deploy(lk.lambda, name, PROBE, { timeout: 30 });
  // LambkinEgress is lambkin's own member: the AWS SDK would leave it out, lambkin's client sends it.
  if (policy) await new LambkinClient({ endpoint: lk.url }).updateFunctionConfiguration(name, { LambkinEgress: policy });
  const r = await call(lk.lambda, name, { targets: targets(), tamper: name === 'eg-default' });
  expect(r.functionError, r.text).toBeUndefined();
  return r.body;
}

describe('egress policy (namespace, isolated network)', () => {
  it('by default: public addresses only — not a private one, the metadata address, or the host itself', async () => {
    const r = await egressOf('eg-default');
    expect(r.public).toBe(hello(PUBLIC));
    expect(r.private).toBe(REFUSED); // refused at once, inside the sandbox, never a timeout
    expect(r.metadata).toBe(REFUSED);
    expect(r.host).toBe(REFUSED);
    // The function cannot take its filter down.
    expect(r.tamper).toMatch(/Operation not permitted/);
    expect(r.afterTamper).toBe(REFUSED);
  });

  it('all: everything slirp4netns reaches', async () => {
    const r = await egressOf('eg-all', { Mode: 'all' });
    expect(r).toEqual({ private: hello(PRIVATE), public: hello(PUBLIC), metadata: hello(METADATA), host: 'got:hello from the host itself' });
  });

  it('an allow-list entry opens that address, and only that one', async () => {
    const r = await egressOf('eg-allow', { Allow: [`${PRIVATE}/32`] });
    expect(r.private).toBe(hello(PRIVATE));
    expect(r.public).toBe(hello(PUBLIC));
    expect(r.metadata).toBe(REFUSED);
  });

  it('none: nothing, not even public addresses; with an allow-list, only the list', async () => {
    const r = await egressOf('eg-none', { Mode: 'none' });
    expect(r).toEqual({ private: REFUSED, public: REFUSED, metadata: REFUSED, host: REFUSED });
    const only = await egressOf('eg-none-list', { Mode: 'none', Allow: [PRIVATE] });
    expect(only.private).toBe(hello(PRIVATE));
    expect(only.public).toBe(REFUSED);
  });

  it('lambkin deploy --egress / --egress-allow set it, and a warm environment gets a new policy with its next start', async () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    try {
      execFileSync('sh', ['-c', `cat > ${dir}/lambda_function.js`], { input: PROBE });
      const d1 = await runCli(lk.url, 'deploy', dir, '--name', 'eg-cli', '--runtime', 'nodejs20.x', '--egress', 'none', '--egress-allow', `${PUBLIC}`);
      expect(d1.code, d1.stderr).toBe(0);
      let r = await call(lk.lambda, 'eg-cli', { targets: targets() });
      expect([r.body.private, r.body.public]).toEqual([REFUSED, hello(PUBLIC)]);
      const d2 = await runCli(lk.url, 'deploy', dir, '--name', 'eg-cli', '--egress-allow', '');
      expect(d2.code, d2.stderr).toBe(0);
      r = await call(lk.lambda, 'eg-cli', { targets: targets() });
      expect([r.body.private, r.body.public]).toEqual([REFUSED, REFUSED]); // still none, list cleared
      const got = await runCli(lk.url, 'deploy', dir, '--name', 'eg-cli', '--egress', 'public');
      expect(got.code, got.stderr).toBe(0);
      r = await call(lk.lambda, 'eg-cli', { targets: targets() });
      expect([r.body.private, r.body.public]).toEqual([REFUSED, hello(PUBLIC)]);
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });

  it('the same without pre-started sandboxes (the filter goes in as the sandbox starts, not at claim)', async () => {
    const fresh = await startLambkin({ env: { LAMBKIN_PRESTART: 'off' } });
    try {
      await deploy(fresh.lambda, 'eg-fresh', PROBE, { timeout: 30 });
      let r = await call(fresh.lambda, 'eg-fresh', { targets: targets() });
      expect([r.body.private, r.body.public, r.body.metadata]).toEqual([REFUSED, hello(PUBLIC), REFUSED]);
      await new LambkinClient({ endpoint: fresh.url }).updateFunctionConfiguration('eg-fresh', { LambkinEgress: { Mode: 'all' } });
      r = await call(fresh.lambda, 'eg-fresh', { targets: targets() });
      expect([r.body.private, r.body.public, r.body.metadata]).toEqual([hello(PRIVATE), hello(PUBLIC), hello(METADATA)]);
    } finally {
      await fresh.stop();
    }
  });

  it('refuses an allow-list entry that is not an IPv4 CIDR', async () => {
    await deploy(lk.lambda, 'eg-bad', ECHO_NODE);
    await expect(new LambkinClient({ endpoint: lk.url }).updateFunctionConfiguration('eg-bad', { LambkinEgress: { Allow: ['10.0.0.0/33'] } }))
      .rejects.toThrow(/not an IPv4 address or CIDR/);
    await stillServes(lk.lambda, 'eg-bad');
  });
});
