// A database that goes away while lambkin serves (issue 15): calls that need it answer a
// Lambda-shaped ServiceException (500) at once instead of hanging, warm invocations that need no
// store keep working, and lambkin recovers by itself when the database is back. The outage is a
// loopback TCP proxy between lambkin and PostgreSQL that this test closes and opens again, so
// the shared PostgreSQL server is never stopped.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { GetFunctionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { NODE, createFunction, invoke, probe, waitFor } from '../helpers/functions.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';

class Outage {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly host: string, private readonly target: number) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Every connection cut, new ones refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

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
    expect(refused).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 500 } });
    expect((refused as Error).message).toMatch(/could not reach its database .* Try again shortly/);
    expect(server.output()).toMatch(/PostgreSQL at postgres:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+\/\S+ is unavailable/);
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
});
