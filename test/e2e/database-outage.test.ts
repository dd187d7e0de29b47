// A database that goes away while lambkin serves (issue 15): calls that need it answer a
// Lambda-shaped ServiceException (503, retry shortly) at once instead of hanging — the control plane, Event
// invocations, the async queue's and the console's routes — warm invocations that need no store
// keep working, an Event invocation that was running finishes once the database is back (not run
// again, not a dead letter), and lambkin recovers by itself. The outage is a
// loopback TCP proxy between lambkin and PostgreSQL that this test closes and opens again, so
// the shared PostgreSQL server is never stopped.
import { GetFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { NODE, createFunction, invoke, probe, waitFor } from '../helpers/functions.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { Postgres } from '../../src/database/index.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { Outage } from '../helpers/outage.js';

describePostgres('the database goes away while serving', () => {
  const database = useTestDatabase();
  let outage: Outage | undefined;
  let server: Lambkin | undefined;
  afterAll(async () => {
    await server?.stop();
    await outage?.down();
  });

  it('answers ServiceException meanwhile, keeps warm invokes going, and recovers by itself', async () => {
    const real = new URL(database.url().url);
    outage = new Outage(real.hostname, Number(real.port || 5432));
    await outage.up();
    const viaProxy = new URL(real.toString());
    viaProxy.host = `127.0.0.1:${outage.port}`;
    server = await startLambkin({ args: ['--database-url', viaProxy.toString()] });
    const { lambda } = server;
    await createFunction(lambda, 'steady', NODE, probe(NODE, 'v1'));
    expect((await invoke(lambda, 'steady')).body.version).toBe('v1');

    await outage.down();
    const refused = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'steady', Description: 'during' }))
      .catch((err: unknown) => err as { name: string; message: string; $metadata: { httpStatusCode?: number } });
    expect(refused).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
    expect((refused as Error).message).toMatch(/could not reach its database .* Try again shortly/);
    // The server's log line travels through its stderr pipe: it may arrive just after the answer.
    const unavailable = /PostgreSQL at postgres:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+\/\S+ is unavailable/;
    await waitFor('the server to log the database as unavailable', () => unavailable.test(server.output())).catch(() => undefined);
    expect(server.output()).toMatch(unavailable);
    expect(server.output()).not.toContain(`:${real.password}@`);
    // Warm: the function's record comes from memory, the environment is running.
    expect((await invoke(lambda, 'steady')).body.version).toBe('v1');
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'steady' }))).Configuration?.Description).toBe('');

    await outage.up();
    const updated = await waitFor('an update once the database is back', () =>
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'steady', Description: 'after' })).catch(() => undefined));
    expect(updated.Description).toBe('after');
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'steady' }))).Configuration?.Description).toBe('after');
    expect((await invoke(lambda, 'steady')).body.version).toBe('v1');
  });
  it('answers ServiceException for Event invokes, the async queue and the console meanwhile; a running event finishes once it is back', async () => {
    const lk = server!;
    const { lambda } = lk;
    const pg = await Postgres.connect(database.url());
    const stored = async () => Number((await pg.query<{ n: number }>('SELECT count(*) AS n FROM async_events'))[0]!.n);
    const api = async (method: string, path: string) => {
      const res = await fetch(`${lk.url}${path}`, { method });
      return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
    };
    try {
      await createFunction(lambda, 'slow', NODE, {
        'lambda_function.js': 'exports.lambda_handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return e.ms; };',
      }, { Timeout: 30 });
      const accepted = await lambda.send(new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: Buffer.from('{"ms":2500}') }));
      expect(accepted.StatusCode).toBe(202);
      const requestId = accepted.$metadata.requestId!;
      await waitFor('the event to be running', async () => (await api('GET', '/lambkin/v1/async-queue')).body.running === 1);

      await outage!.down();
      for (const [method, path] of [
        ['GET', '/lambkin/v1/async-queue'], ['GET', '/lambkin/v1/functions/slow/dead-letters'],
        ['POST', '/lambkin/v1/functions/slow/dead-letters/redrive'], ['GET', '/lambkin/v1/deploys?function=slow'],
      ] as const) {
        const r = await api(method, path);
        expect({ path, status: r.status, type: r.type }).toEqual({ path, status: 503, type: 'ServiceException' });
        expect(r.body.message).toMatch(/could not reach its database .* Try again shortly/);
      }
      const refused = await lambda.send(new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: Buffer.from('{"ms":1}') }))
        .catch((err: unknown) => err as { name: string; $metadata: { httpStatusCode?: number } });
      expect(refused).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
      // The running event ends while the database is away: its finishing waits for it.
      await waitFor('the finish to be put off', () => lk.output().includes(`async event ${requestId} of slow: could not be finished`));

      await outage!.up();
      await waitFor('the event to be finished in the database', async () => (await stored().catch(() => -1)) === 0, 40_000);
      expect((await api('GET', '/lambkin/v1/functions/slow/dead-letters')).body.deadLetters).toEqual([]);
      const ran = await api('GET', '/lambkin/v1/invocations?function=slow');
      expect((ran.body.invocations as { requestId: string }[]).map((i) => i.requestId)).toEqual([requestId]); // once, not again

      // Back to normal: an Event invocation is accepted and runs.
      const again = await lambda.send(new InvokeCommand({ FunctionName: 'slow', InvocationType: 'Event', Payload: Buffer.from('{"ms":1}') }));
      expect(again.StatusCode).toBe(202);
      await waitFor('the new event to run', async () =>
        ((await api('GET', '/lambkin/v1/invocations?function=slow')).body.invocations as unknown[]).length === 2);
      await waitFor('the queue to be empty', async () => (await stored()) === 0);
    } finally {
      await pg.close();
    }
  });
});
