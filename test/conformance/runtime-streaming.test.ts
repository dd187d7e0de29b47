// Response streaming, the same handler on two runtime clients: lambkin's Node.js runtime and AWS's
// own (aws-lambda-ric, as a custom runtime). AWS's client is the reference for the Runtime API side
// (headers, chunked body, error trailers, the HTTP prelude); both must give the same events through
// InvokeWithResponseStream, the same HTTP response through a RESPONSE_STREAM URL, and the same body
// through a buffered Invoke. Without the RIC's build tools its half is skipped, saying why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionUrlConfigCommand, InvokeCommand, InvokeWithResponseStreamCommand, type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, createFunction } from '../helpers/functions.js';
import type { Files } from '../helpers/zip.js';
import { ensureRic } from './ric-install.js';
import { FIXTURES, ricFiles } from './runtime-packages.js';

const HANDLER = `
class CustomError extends Error { constructor(m) { super(m); this.name = 'CustomError'; } }
exports.lambda_handler = awslambda.streamifyResponse(async (event, stream) => {
  if (event.requestContext) {
    stream = awslambda.HttpResponseStream.from(stream, { statusCode: 202, headers: { 'x-which': 'streamed' }, cookies: ['c=1'] });
    event = { parts: ['u1', 'u2'] };
  }
  for (const part of event.parts) {
    stream.write(part);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (event.fail) throw new CustomError('failed mid-stream');
  stream.end();
});
`;

interface Client {
  readonly key: string;
  readonly unavailable: () => string | undefined;
  readonly files: () => Files;
  readonly extra: Partial<CreateFunctionCommandInput>;
}

const CLIENTS: readonly Client[] = [
  { key: 'lambkin-node', unavailable: () => undefined, files: () => ({ 'lambda_function.js': HANDLER }), extra: {} },
  {
    key: 'aws-lambda-ric', unavailable: () => ensureRic(),
    files: () => ({ ...ricFiles(), bootstrap: { content: readFileSync(join(FIXTURES, 'ric/bootstrap')), mode: 0o755 }, 'lambda_function.js': HANDLER }),
    extra: { Runtime: 'provided.al2023' },
  },
];

let lk: Lambkin;
beforeAll(async () => {
  lk = await startLambkin();
}, 60_000);
afterAll(async () => {
  await lk?.stop();
});

for (const client of CLIENTS) {
  const why = client.unavailable();
  describe.skipIf(why !== undefined)(`response streaming from ${client.key}${why ? ` (skipped: ${why})` : ''}`, () => {
    const name = `stream-${client.key}`;
    let url: string;
    beforeAll(async () => {
      await createFunction(lk.lambda, name, NODE, client.files(), { Timeout: 30, ...client.extra });
      url = (await lk.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }))).FunctionUrl!;
    }, 60_000);

    const stream = async (event: unknown) => {
      const out = await lk.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
      let body = '';
      const completes: { ErrorCode?: string; ErrorDetails?: string }[] = [];
      for await (const e of out.EventStream!) {
        if (e.PayloadChunk) body += Buffer.from(e.PayloadChunk.Payload ?? new Uint8Array()).toString();
        if (e.InvokeComplete) completes.push({ ErrorCode: e.InvokeComplete.ErrorCode, ErrorDetails: e.InvokeComplete.ErrorDetails });
      }
      return { body, completes };
    };

    it('InvokeWithResponseStream: the chunks, then one InvokeComplete without error', async () => {
      const { body, completes } = await stream({ parts: ['a', 'b', 'c'] });
      expect(body).toBe('abc');
      expect(completes).toEqual([{ ErrorCode: undefined, ErrorDetails: undefined }]);
    });

    it('an error after the first chunk (trailers): InvokeComplete carries its type and details', async () => {
      const { body, completes } = await stream({ parts: ['a'], fail: true });
      expect(body).toBe('a');
      expect(completes).toHaveLength(1);
      expect(completes[0]!.ErrorCode).toBe('CustomError');
      expect(JSON.parse(completes[0]!.ErrorDetails!)).toMatchObject({ errorType: 'CustomError', errorMessage: 'failed mid-stream' });
    });

    it('a RESPONSE_STREAM URL: the prelude\'s status, headers and cookies, then the body', async () => {
      const res = await fetch(url);
      expect(res.status).toBe(202);
      expect(res.headers.get('x-which')).toBe('streamed');
      expect(res.headers.get('set-cookie')).toBe('c=1');
      expect(await res.text()).toBe('u1u2');
    });

    it('a buffered Invoke gets the whole body', async () => {
      const out = await lk.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"parts":["x","y"]}') }));
      expect(out.FunctionError).toBeUndefined();
      expect(Buffer.from(out.Payload!).toString()).toBe('xy');
    });
  });
}
