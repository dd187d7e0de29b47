// Function URLs: configured with the real AWS SDK, called with plain fetch and with curl. The
// request arrives as Lambda's payload-format-2.0 event, the result becomes the HTTP response
// (status, headers, cookies, binary bodies), function errors are 502, CORS is answered from the
// configuration, and AWS_IAM URLs refuse unsigned requests.
import { execFile } from 'node:child_process';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateAliasCommand, CreateFunctionUrlConfigCommand, DeleteFunctionUrlConfigCommand, GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand, UpdateFunctionCodeCommand, UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip } from '../helpers/zip.js';
import { NODE, createFunction } from '../helpers/functions.js';

let lk: Lambkin;
let url: string;
const NAME = 'web';

const HANDLER = (version: string) => ({
  'lambda_function.js': `
let calls = 0;
exports.lambda_handler = async (event, context) => {
  calls++;
  switch (event.rawPath) {
    case '/plain': return { hello: 'world' };
    case '/error': throw new Error('nope');
    case '/binary': return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, isBase64Encoded: true, body: Buffer.from([0, 1, 2, 254, 255]).toString('base64') };
    case '/cookies': return { statusCode: 202, cookies: ['a=1; Path=/', 'b=2'], headers: { 'x-custom': 'yes', 'access-control-allow-origin': 'https://evil.example' }, body: 'ok' };
    case '/calls': return { calls };
  }
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event, version: ${JSON.stringify(version)}, functionVersion: context.functionVersion }) };
};
`,
});

interface Echo {
  event: {
    version: string; routeKey: string; rawPath: string; rawQueryString: string; cookies?: string[];
    headers: Record<string, string>; queryStringParameters?: Record<string, string>; body?: string; isBase64Encoded: boolean;
    requestContext: { accountId: string; apiId: string; domainName: string; requestId: string; time: string; timeEpoch: number; http: Record<string, string> };
  };
  version: string;
  functionVersion: string;
}

/** Headers of a GET to `target` signed with SigV4 (service lambda) by these credentials. */
async function signedHeaders(target: URL, accessKeyId: string, secretAccessKey: string): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'GET', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: target.pathname,
    headers: { host: target.host }, query: Object.fromEntries(target.searchParams),
  });
  return signed.headers as Record<string, string>;
}

function curl(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-i', ...args], (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

beforeAll(async () => {
  lk = await startLambkin();
  await createFunction(lk.lambda, NAME, NODE, HANDLER('v1'), { Publish: true });
  const created = await lk.lambda.send(new CreateFunctionUrlConfigCommand({
    FunctionName: NAME, AuthType: 'NONE',
    Cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['x-token'], ExposeHeaders: ['x-custom'], MaxAge: 300 },
  }));
  url = created.FunctionUrl!;
});
afterAll(async () => {
  await lk?.stop();
});

describe('function URL configuration', () => {
  it('creates, reads, lists, updates and deletes URL configs', async () => {
    expect(url).toBe(`${lk.url}/url/${NAME}/`);
    const dup = await lk.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: NAME, AuthType: 'NONE' })).catch((e: Error) => e);
    expect((dup as Error).name).toBe('ResourceConflictException');
    const got = await lk.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: NAME }));
    expect(got).toMatchObject({ FunctionUrl: url, AuthType: 'NONE', InvokeMode: 'BUFFERED', FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${NAME}` });
    expect(got.Cors?.AllowOrigins).toEqual(['https://app.example']);
    expect(got.CreationTime).toBeTruthy();

    await lk.lambda.send(new CreateAliasCommand({ FunctionName: NAME, Name: 'stable', FunctionVersion: '1' }));
    await lk.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: NAME, ZipFile: zip(HANDLER('v2')) }));
    const aliased = await lk.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: NAME, Qualifier: 'stable', AuthType: 'NONE' }));
    expect(aliased.FunctionUrl).toBe(`${lk.url}/url/${NAME}:stable/`);
    const listed = await lk.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: NAME }));
    expect(listed.FunctionUrlConfigs?.map((c) => c.FunctionUrl).sort()).toEqual([url, aliased.FunctionUrl].sort());

    const fromAlias = (await (await fetch(`${aliased.FunctionUrl}echo`)).json()) as Echo;
    expect(fromAlias).toMatchObject({ version: 'v1', functionVersion: '1' });
    const fromLatest = (await (await fetch(`${url}echo`)).json()) as Echo;
    expect(fromLatest).toMatchObject({ version: 'v2', functionVersion: '$LATEST' });

    await lk.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: NAME, Qualifier: 'stable' }));
    expect((await fetch(`${aliased.FunctionUrl}echo`)).status).toBe(404);
    const gone = await lk.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: NAME, Qualifier: 'stable' })).catch((e: Error) => e);
    expect((gone as Error).name).toBe('ResourceNotFoundException');
  });
});

describe('serving requests', () => {
  it('hands the function a payload-format-2.0 event', async () => {
    const res = await fetch(`${url}some/path?a=1&a=2&b=x%20y`, {
      headers: { cookie: 'c1=v1; c2=v2', 'X-Mixed-Case': 'Value', 'user-agent': 'lambkin-test' },
    });
    expect(res.status).toBe(200);
    const { event } = (await res.json()) as Echo;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/some/path');
    expect(event.rawQueryString).toBe('a=1&a=2&b=x%20y');
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: 'x y' });
    expect(event.cookies).toEqual(['c1=v1', 'c2=v2']);
    expect(event.headers['x-mixed-case']).toBe('Value');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.http).toMatchObject({ method: 'GET', path: '/some/path', protocol: 'HTTP/1.1', userAgent: 'lambkin-test' });
    expect(event.requestContext.http.sourceIp).toMatch(/127\.0\.0\.1|::1/);
    expect(event.requestContext.requestId).toBe(res.headers.get('x-amzn-requestid'));
    expect(event.requestContext.timeEpoch).toBeGreaterThan(0);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBeUndefined();
  });

  it('passes text bodies as text and binary bodies base64-encoded, and returns binary responses', async () => {
    const text = (await (await fetch(`${url}echo`, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } })).json()) as Echo;
    expect(text.event).toMatchObject({ body: '{"n":1}', isBase64Encoded: false });
    expect(text.event.requestContext.http.method).toBe('POST');

    const bytes = Buffer.from([0, 159, 146, 150, 255, 10]);
    const bin = (await (await fetch(`${url}echo`, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } })).json()) as Echo;
    expect(bin.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(bin.event.body!, 'base64')).toEqual(bytes);

    const res = await fetch(`${url}binary`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 254, 255]));
  });

  it('turns results into responses: any JSON value is a 200 JSON body; statusCode, headers and cookies are honoured', async () => {
    const plain = await fetch(`${url}plain`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ hello: 'world' });

    const shaped = await fetch(`${url}cookies`);
    expect(shaped.status).toBe(202);
    expect(shaped.headers.get('x-custom')).toBe('yes');
    expect(shaped.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(await shaped.text()).toBe('ok');
  });

  it('answers a function error with 502', async () => {
    const res = await fetch(`${url}error`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ Message: 'Internal Server Error' });
  });

  it('answers CORS preflights from the configuration, without invoking the function', async () => {
    const before = ((await (await fetch(`${url}calls`)).json()) as { calls: number }).calls;
    const pre = await fetch(`${url}anything`, {
      method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('x-token');
    expect(pre.headers.get('access-control-max-age')).toBe('300');
    const after = ((await (await fetch(`${url}calls`)).json()) as { calls: number }).calls;
    expect(after).toBe(before + 1); // only the second /calls ran

    // On a normal response the configuration's CORS headers replace the function's own.
    const res = await fetch(`${url}cookies`, { headers: { origin: 'https://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-custom');
    const foreign = await fetch(`${url}cookies`, { headers: { origin: 'https://other.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('works with curl', async () => {
    const got = await curl(`${url}from/curl?x=1`, '-H', 'X-From: curl');
    expect(got).toMatch(/^HTTP\/1\.1 200 OK/);
    const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(body.event).toMatchObject({ rawPath: '/from/curl', rawQueryString: 'x=1' });
    expect(body.event.headers['x-from']).toBe('curl');
    expect(body.event.headers['user-agent']).toMatch(/^curl\//);

    const posted = await curl('-X', 'POST', '--data-binary', 'a=1&b=2', `${url}form`);
    const form = JSON.parse(posted.slice(posted.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(form.event).toMatchObject({ body: 'a=1&b=2', isBase64Encoded: false });
    expect(form.event.headers['content-type']).toBe('application/x-www-form-urlencoded');

    const cookies = await curl(`${url}cookies`);
    expect(cookies).toMatch(/^HTTP\/1\.1 202/);
    expect(cookies).toMatch(/\r\nset-cookie: a=1; Path=\/\r\n/i);
    expect(cookies).toMatch(/\r\nset-cookie: b=2\r\n/i);
  });

  it('refuses unsigned requests to an AWS_IAM URL with 403, and serves signed ones', async () => {
    await lk.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: NAME, AuthType: 'AWS_IAM' }));
    try {
      const unsigned = await fetch(`${url}plain`);
      expect(unsigned.status).toBe(403);
      expect(await unsigned.json()).toEqual({ Message: 'Forbidden' });

      const target = new URL(`${url}echo`);
      const res = await fetch(target, { headers: await signedHeaders(target, 'AKIDTEST', 'secret') });
      expect(res.status).toBe(200);
      const { event } = (await res.json()) as Echo & { event: { requestContext: { authorizer?: { iam: { accessKey: string } } } } };
      expect(event.requestContext.authorizer?.iam.accessKey).toBe('AKIDTEST');
    } finally {
      await lk.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: NAME, AuthType: 'NONE' }));
    }
  });
});

describe('on a server with credentials', () => {
  let secure: Lambkin;
  let open: string;
  let iam: string;

  beforeAll(async () => {
    secure = await startLambkin({ env: { LAMBKIN_ACCESS_KEY_ID: 'test', LAMBKIN_SECRET_ACCESS_KEY: 'test' } });
    await createFunction(secure.lambda, NAME, NODE, HANDLER('v1'), { Publish: true });
    await secure.lambda.send(new CreateAliasCommand({ FunctionName: NAME, Name: 'private', FunctionVersion: '1' }));
    open = (await secure.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: NAME, AuthType: 'NONE' }))).FunctionUrl!;
    iam = (await secure.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: NAME, Qualifier: 'private', AuthType: 'AWS_IAM' }))).FunctionUrl!;
  });
  afterAll(async () => {
    await secure?.stop();
  });

  it('serves NONE URLs to anyone, and AWS_IAM URLs only to requests signed with the server\'s credentials', async () => {
    expect((await fetch(`${secure.url}/2015-03-31/functions/`)).status).toBe(403); // the API itself wants a signature
    expect(await (await fetch(`${open}plain`)).json()).toEqual({ hello: 'world' });

    const target = new URL(`${iam}plain`);
    expect((await fetch(target)).status).toBe(403);
    expect((await fetch(target, { headers: await signedHeaders(target, 'test', 'wrong-secret') })).status).toBe(403);
    const ok = await fetch(target, { headers: await signedHeaders(target, 'test', 'test') });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ hello: 'world' });
  });
});
