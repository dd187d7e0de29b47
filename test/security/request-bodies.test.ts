// Request bodies cannot fill the server (issue 14, item 6, main API): with credentials, a request
// refused from its headers (no signature, an unknown key, a stale date, a bad signature over a
// declared body hash) is answered before its body is read, so 66 MB uploads cost nothing; each
// operation takes a body up to its own limit (Invoke 6 MB / 256 KB Event, code uploads ~70 MB,
// the rest 1 MB), refused from Content-Length before reading; and a server-wide budget of bodies
// held at once (--max-request-buffer) turns away, at once, uploads past it.
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { createHash } from 'node:crypto';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { peakRss, rssMb, upload, type Answer, type Upload } from './uploads.js';
import { deploy, waitFor } from './hostile.js';

const KEY = { accessKeyId: 'AKIALAMBKINTEST00001', secretAccessKey: 'lambkin-test-secret-0123456789abcdefghij' };
const MB = 1024 * 1024;
const BIG = 66 * MB;

/** SigV4 headers for a request (what the AWS SDK sends), by smithy's signer. */
async function signedHeaders(base: string, method: string, path: string, o: { secret?: string; date?: Date; declaredHash?: string } = {}): Promise<Record<string, string>> {
  const url = new URL(base);
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: o.secret ?? KEY.secretAccessKey },
    region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256'), applyChecksum: false,
  });
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json' };
  if (o.declaredHash) headers['x-amz-content-sha256'] = o.declaredHash;
  const signed = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers, body: '' }, { signingDate: o.date });
  const { host: _host, ...rest } = signed.headers;
  return rest;
}

function errorType(a: Answer): string | undefined {
  return a.headers['x-amzn-errortype'] as string | undefined;
}

describe('with credentials: refused from the headers, before the body', () => {
  let lk: Lambkin;
  beforeAll(async () => {
    lk = await startLambkin({ args: ['--sandbox', 'process'], env: { LAMBKIN_ACCESS_KEY_ID: KEY.accessKeyId, LAMBKIN_SECRET_ACCESS_KEY: KEY.secretAccessKey } });
  });
  afterAll(async () => {
    await lk?.stop();
  });

  it('eight 66 MB uploads without a valid signature are answered at once, and the server\'s memory stays where it was', async () => {
    const base = lk.url;
    const path = '/2015-03-31/functions'; // CreateFunction: takes bodies up to ~70 MB once signed
    const stale = new Date(Date.now() - 3_600_000);
    const variants: [string, Record<string, string>][] = [
      ['AccessDeniedException', {}],
      ['AccessDeniedException', {}],
      ['UnrecognizedClientException', { authorization: `AWS4-HMAC-SHA256 Credential=AKIANOTOURS/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}` }],
      ['UnrecognizedClientException', { authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=' + 'a'.repeat(64) }],
      ['InvalidSignatureException', await signedHeaders(base, 'POST', path, { date: stale })],
      ['InvalidSignatureException', { authorization: 'Bearer 123' }],
      // The body's hash declared and signed, with the wrong secret: the signature is judged from the headers.
      ['InvalidSignatureException', await signedHeaders(base, 'POST', path, { secret: 'not-the-secret', declaredHash: 'ab'.repeat(32) })],
      ['InvalidSignatureException', await signedHeaders(base, 'POST', path, { secret: 'not-the-secret', declaredHash: 'cd'.repeat(32) })],
    ];
    const baseline = rssMb(lk.proc.pid!);
    const peak = peakRss(lk.proc.pid!);
    const uploads = variants.map(([, headers]) => upload(base, { path, headers: { 'content-type': 'application/json', ...headers }, total: BIG }));
    const answers = await Promise.all(uploads.map((u) => u.answer));
    uploads.forEach((u) => { u.close(); });
    const highest = peak.stop();
    expect(answers.map(errorType)).toEqual(variants.map(([name]) => name));
    expect(answers.map((a) => a.status)).toEqual(variants.map(() => 403));
    // Answered long before the body was through (a few MB sat in socket buffers at most).
    for (const a of answers) expect(a.sentWhenAnswered).toBeLessThan(BIG / 2);
    expect(highest - baseline).toBeLessThan(100);
    console.log(`8 × 66 MB unsigned uploads: server RSS ${baseline.toFixed(0)} MB before, ${highest.toFixed(0)} MB peak`);
    expect(lk.proc.exitCode).toBeNull();
  });

  it('Expect: 100-continue is answered with the refusal, not with an invitation to send the body', async () => {
    const { connect } = await import('node:net');
    const socket = connect(Number(new URL(lk.url).port), '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.write(`POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: ${BIG}\r\nExpect: 100-continue\r\n\r\n`);
    await waitFor('an answer', () => (text.includes('\r\n\r\n{') ? true : undefined), 20_000);
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 403 /);
    expect(text).not.toContain('100 Continue');
  });

  it('a body that is not the one whose hash was declared and signed is refused once read', async () => {
    const path = '/2015-03-31/functions/nope/invocations';
    const declared = createHash('sha256').update('{"honest":true}').digest('hex');
    const headers = await signedHeaders(lk.url, 'POST', path, { declaredHash: declared });
    const honest = await fetch(lk.url + path, { method: 'POST', headers, body: '{"honest":true}' });
    expect(honest.status).toBe(404); // signed right; the function just does not exist
    const swapped = await fetch(lk.url + path, { method: 'POST', headers, body: '{"honest":false}' });
    expect(swapped.status).toBe(403);
    expect(await swapped.json()).toMatchObject({ message: 'X-Amz-Content-Sha256 does not match the body.' });
  });

  it('an AWS_IAM function URL refuses an unsigned or foreign-key 66 MB upload before reading it', async () => {
    const { LambdaClient, CreateFunctionUrlConfigCommand } = await import('@aws-sdk/client-lambda');
    const lambda = new LambdaClient({ endpoint: lk.url, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
    await deploy(lambda, 'iam-url', 'exports.lambda_handler = async () => ({ statusCode: 200, body: "ok" });');
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'iam-url', AuthType: 'AWS_IAM' }));
    lambda.destroy();
    const foreign = { authorization: `AWS4-HMAC-SHA256 Credential=AKIANOTOURS/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}` };
    for (const headers of [{}, foreign]) {
      const u = upload(lk.url, { path: '/url/iam-url/', headers, total: BIG });
      const a = await u.answer;
      u.close();
      expect(a.status).toBe(403);
      expect(a.sentWhenAnswered).toBeLessThan(BIG / 2);
    }
  });

  it('a signed caller still gets its answer (the SDK)', async () => {
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    const lambda = new LambdaClient({ endpoint: lk.url, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toEqual(['iam-url']);
    lambda.destroy();
  });
});

describe('without credentials: each operation\'s limit, and the server-wide budget', () => {
  let lk: Lambkin;
  beforeAll(async () => {
    lk = await startLambkin({ args: ['--sandbox', 'process', '--max-request-buffer', '64'] });
  });
  afterAll(async () => {
    await lk?.stop();
  });

  it('refuses a body over the operation\'s limit from its Content-Length, before reading it', async () => {
    const cases: [string, string, Record<string, string>, number, string][] = [
      ['GET', '/2015-03-31/functions/', {}, 20 * MB, 'for the GET /2015-03-31/functions/ operation'],
      ['POST', '/2015-03-31/functions/nope/invocations', { 'x-amz-invocation-type': 'Event' }, 20 * MB, 'smaller than 262144 bytes for the InvokeFunction operation'],
      ['POST', '/2015-03-31/functions/nope/invocations', {}, 20 * MB, 'smaller than 6291456 bytes for the InvokeFunction operation'],
      ['POST', '/', { 'x-amz-target': 'Logs_20140328.DescribeLogGroups' }, 20 * MB, 'smaller than 1048576 bytes'],
      ['POST', '/url/nope/', {}, 20 * MB, 'Not Found'], // no such URL: answered without reading
    ];
    for (const [method, path, headers, total, text] of cases) {
      const u = upload(lk.url, { method, path, headers, total });
      const a = await u.answer;
      u.close();
      expect(a.body, `${method} ${path}`).toContain(text);
      expect(a.sentWhenAnswered, `${method} ${path}`).toBeLessThan(total / 2);
    }
  });

  it('holds at most --max-request-buffer of bodies at once: uploads past it get 429 at once, the others go through', async () => {
    const path = '/2015-03-31/functions/nope/invocations';
    const each = 6_000_000; // 11 of them fit in 64 MB
    const fit = Math.floor(64 * MB / each);
    const baseline = rssMb(lk.proc.pid!);
    const peak = peakRss(lk.proc.pid!);
    const held: Upload[] = [];
    const answered = new Set<Upload>();
    const refused: Answer[] = [];
    // Slow uploads: all but their last byte sent, then they wait.
    for (let i = 0; i < 40; i++) {
      const u = upload(lk.url, { path, total: each, holdAt: each - 1 });
      held.push(u);
      void u.answer.then((a) => {
        answered.add(u);
        refused.push(a);
      });
    }
    await waitFor('the uploads past the budget to be refused', () => (refused.length >= 40 - fit ? true : undefined), 60_000);
    const taken = held.filter((u) => !answered.has(u));
    expect(taken).toHaveLength(fit);
    // A chunked body (no Content-Length) is charged as it comes: refused where it passes the budget.
    const chunked = upload(lk.url, { path, total: 8 * MB, chunked: true, holdAt: 8 * MB - 1 });
    refused.push(await chunked.answer);
    expect(refused.map((a) => a.status)).toEqual(refused.map(() => 429));
    expect(refused.map(errorType)).toEqual(refused.map(() => 'TooManyRequestsException'));
    expect(JSON.parse(refused[0]!.body)).toMatchObject({ message: expect.stringContaining('--max-request-buffer'), Reason: 'ServerBusy' });
    // The ones within the budget were taken: once finished, they reach the operation.
    await waitFor('the admitted uploads to be all but sent', () => (taken.every((u) => u.sent() === each - 1) ? true : undefined), 60_000);
    const highest = peak.stop();
    await Promise.all(taken.map((u) => u.finish()));
    for (const a of await Promise.all(taken.map((u) => u.answer))) expect(errorType(a)).toBe('ResourceNotFoundException');
    held.forEach((u) => { u.close(); });
    chunked.close();
    console.log(`40 slow 6 MB uploads, budget 64 MB: ${40 - fit} refused, server RSS ${baseline.toFixed(0)} MB before, ${highest.toFixed(0)} MB peak`);
    expect(highest - baseline).toBeLessThan(64 + 60);
    // With the bodies answered, the budget is free again.
    const again = upload(lk.url, { path, total: each });
    expect(errorType(await again.answer)).toBe('ResourceNotFoundException');
  }, 150_000);
});
