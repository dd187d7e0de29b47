// Who may call: with credentials configured, every Lambda and Logs API request must carry a valid
// SigV4 signature made with them (checked by recomputing it); missing, wrong, foreign, tampered or
// stale signatures get 403 in Lambda's error format. Without credentials the server refuses to
// listen on anything but loopback; `lambkin init-credentials` creates them, and the lambkin CLI
// signs with them.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient, ListFunctionsCommand, InvokeCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { deploy, ECHO_NODE } from './hostile.js';

const KEY = { accessKeyId: 'AKIALAMBKINTEST00001', secretAccessKey: 'lambkin-test-secret-0123456789abcdefghij' };

let lk: Lambkin;
const clients: { destroy(): void }[] = [];

function lambda(credentials = KEY, extra: Record<string, unknown> = {}): LambdaClient {
  const c = new LambdaClient({ endpoint: lk.url, region: 'us-east-1', credentials, maxAttempts: 1, ...extra });
  clients.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('the request was accepted');
}

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

beforeAll(async () => {
  lk = await startLambkin({ env: { LAMBKIN_ACCESS_KEY_ID: KEY.accessKeyId, LAMBKIN_SECRET_ACCESS_KEY: KEY.secretAccessKey } });
  await deploy(lambda(), 'echo', ECHO_NODE);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await lk?.stop();
});

describe('SigV4 with credentials configured', () => {
  it('accepts the AWS SDK signing with them: Lambda and Logs APIs, ARNs in the path, query strings', async () => {
    const l = lambda();
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:echo';
    const out = await l.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{"a":"b c+d/é"}') }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ ok: true, event: { a: 'b c+d/é' } });
    expect((await l.send(new ListFunctionsCommand({ MaxItems: 1 }))).Functions).toHaveLength(1);
    expect((await l.send(new GetFunctionCommand({ FunctionName: 'echo', Qualifier: '$LATEST' }))).Configuration?.FunctionName).toBe('echo');
    const logs = new CloudWatchLogsClient({ endpoint: lk.url, region: 'eu-west-1', credentials: KEY, maxAttempts: 1 });
    clients.push(logs);
    expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups).toBeDefined();
  });

  it('refuses an unsigned request: 403 AccessDeniedException, before any route is matched', async () => {
    for (const path of ['/2015-03-31/functions/', '/2015-03-31/functions/echo/invocations', '/lambkin/v1/functions/echo/debug', '/no/such/route']) {
      const post = path.endsWith('invocations') || path.endsWith('debug');
      const res = await fetch(lk.url + path, { method: post ? 'POST' : 'GET', body: post ? '{}' : undefined });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(await res.json()).toMatchObject({ Type: 'User', message: expect.stringContaining('Signature Version 4') });
    }
  });

  it('refuses a wrong secret (InvalidSignatureException) and an unknown key (UnrecognizedClientException)', async () => {
    const wrong = await rejection(lambda({ ...KEY, secretAccessKey: 'not-the-secret' }).send(new ListFunctionsCommand({})));
    expect(wrong).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    const unknown = await rejection(lambda({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: KEY.secretAccessKey }).send(new ListFunctionsCommand({})));
    expect(unknown).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
  });

  it('refuses a signature more than 15 minutes old (or ahead)', async () => {
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      const stale = await rejection(lambda(KEY, { systemClockOffset: offset }).send(new ListFunctionsCommand({})));
      expect(stale).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
      expect(stale.message).toMatch(/Signature (expired|not yet current)/);
    }
    // 10 minutes off is within the window.
    expect((await lambda(KEY, { systemClockOffset: -10 * 60_000 }).send(new ListFunctionsCommand({}))).Functions).toBeDefined();
  });

  it('refuses a signed request whose body was changed on the way', async () => {
    const url = new URL(lk.url + '/2015-03-31/functions/echo/invocations');
    const signer = new SignatureV4({ credentials: KEY, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {},
      headers: { host: url.host, 'content-type': 'application/json' }, body: '{"amount":1}',
    });
    const { host: _h, ...headers } = signed.headers;
    const honest = await fetch(url, { method: 'POST', headers, body: '{"amount":1}' });
    expect(honest.status).toBe(200);
    const tampered = await fetch(url, { method: 'POST', headers, body: '{"amount":1000}' });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  it('refuses a Lambda request signed for another service', async () => {
    const e = await rejection(new LambdaClient({
      endpoint: lk.url, region: 'us-east-1', credentials: KEY, maxAttempts: 1, signingName: 'logs',
    } as ConstructorParameters<typeof LambdaClient>[0]).send(new ListFunctionsCommand({})));
    expect(e).toMatchObject({ name: 'InvalidSignatureException', status: 403, message: expect.stringContaining("scoped to correct service: 'lambda'") });
  });

  it('the lambkin CLI signs with LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY, and is refused without', async () => {
    const ok = await cli(['--endpoint', lk.url, 'ls'], { LAMBKIN_ACCESS_KEY_ID: KEY.accessKeyId, LAMBKIN_SECRET_ACCESS_KEY: KEY.secretAccessKey });
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('echo') });
    const refused = await cli(['--endpoint', lk.url, 'ls'], { LAMBKIN_ACCESS_KEY_ID: undefined, LAMBKIN_SECRET_ACCESS_KEY: undefined, LAMBKIN_DATA_DIR: '/nonexistent' });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('AccessDeniedException');
  });
});

describe('listening beyond loopback', () => {
  const noCreds = { LAMBKIN_ACCESS_KEY_ID: undefined, LAMBKIN_SECRET_ACCESS_KEY: undefined };

  it('is refused at start without credentials, saying how to create them; init-credentials makes it possible', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-auth-'));
    try {
      const refused = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], noCreds);
      expect(refused.code).toBe(2);
      expect(refused.out).toContain('refusing to listen on 0.0.0.0 without credentials');
      expect(refused.out).toContain(`lambkin init-credentials --data-dir ${dataDir}`);

      const created = await cli(['init-credentials', '--data-dir', dataDir], noCreds);
      expect(created.code).toBe(0);
      expect(statSync(join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
      expect((await cli(['init-credentials', '--data-dir', dataDir], noCreds)).code).toBe(2); // never overwritten silently

      const server = spawn(process.execPath, [CLI, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], {
        env: { ...process.env, ...noCreds }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        server.stdout.on('data', (c: Buffer) => (out += c.toString()));
        server.stderr.on('data', (c: Buffer) => (out += c.toString()));
        const port = await new Promise<string>((resolve, reject) => {
          server.once('exit', () => reject(new Error(`server exited: ${out}`)));
          server.stdout.on('data', () => {
            const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
            if (m) resolve(m[1]!);
          });
        });
        expect(out).toContain('must be signed');
        const endpoint = `http://127.0.0.1:${port}`;
        // The CLI finds the credentials in the same data folder.
        expect(await cli(['--endpoint', endpoint, 'ls'], { ...noCreds, LAMBKIN_DATA_DIR: dataDir })).toMatchObject({ code: 0 });
        expect((await fetch(`${endpoint}/2015-03-31/functions/`)).status).toBe(403);
      } finally {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
