// A cluster node that loses NATS or its database (docs/cluster.md, "Failures"): it says so in its
// log, answers API calls with a Lambda-shaped 503 ServiceException instead of answering from a
// state it cannot vouch for — in particular it never runs code that another node replaced
// meanwhile — and serves again by itself once they are back. NATS is stopped and started again
// (the private nats-server's pause/resume); the database is cut by a loopback proxy in front of
// node-1's connection only, so that node-2 keeps working and makes a change meanwhile.
import { GetFunctionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NODE, createFunction, invoke, probe, waitFor } from '../helpers/functions.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../helpers/database.js';
import { listNodes, nodesAgree, startNode } from '../helpers/cluster.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { Outage } from '../helpers/outage.js';
import { zip } from '../helpers/zip.js';
import type { Lambkin } from '../helpers/server.js';
import { failure } from '../helpers/failure.js';


describePostgres('a cluster node cut off from NATS or its database', () => {
  let nats: NatsServer;
  let db: TestDatabase;
  let outage: Outage;
  let a: Lambkin;
  let b: Lambkin;
  beforeAll(async () => {
    [nats, db] = await Promise.all([startNatsServer(), createTestDatabase()]);
    const real = new URL(db.url.url);
    outage = new Outage(real.hostname, Number(real.port || 5432));
    await outage.up();
    const proxied = new URL(real.toString());
    proxied.host = `127.0.0.1:${outage.port}`;
    a = await startNode({ nats, databaseUrl: proxied.toString() }, 'node-1');
    b = await startNode({ nats, databaseUrl: db.url.url }, 'node-2');
    await nodesAgree([a, b], ['node-1', 'node-2']);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await outage?.down();
    await nats?.stop();
    await db?.drop();
  });

  it('NATS lost: 503 ServiceException saying so, the nodes list still answers; back by itself when NATS returns', async () => {
    await createFunction(a.lambda, 'steady', NODE, probe(NODE, 'v1'));
    expect((await invoke(b.lambda, 'steady')).body.version).toBe('v1');

    await nats.pause();
    for (const node of [a, b]) {
      await waitFor('the node to log the loss', () => /NATS connection lost/.test(node.output()));
      const refused = await failure(invoke(node.lambda, 'steady'));
      expect(refused).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
      expect(refused.message).toMatch(/has lost its connection to NATS \(nats:\/\/127\.0\.0\.1:\d+\).*serves again by itself/);
      expect((await listNodes(node)).map((n) => n.url)).toContain(node.url);
    }

    await nats.resume();
    for (const node of [a, b]) {
      const back = await waitFor('the node to serve again', () => invoke(node.lambda, 'steady').then(() => true, () => false), 30_000);
      expect(back).toBe(true);
      expect(node.output()).toMatch(/NATS connection back/);
    }
    await nodesAgree([a, b], ['node-1', 'node-2']);
    expect((await invoke(a.lambda, 'steady')).body.version).toBe('v1');
  });

  it("its database lost: node-1 never runs the code node-2 replaced meanwhile; 503 until it has caught up, then the new code", async () => {
    expect((await invoke(a.lambda, 'steady')).body.version).toBe('v1'); // warm on node-1
    await outage.down();
    await b.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'steady', ZipFile: zip(probe(NODE, 'v2')) }));
    expect((await invoke(b.lambda, 'steady')).body.version).toBe('v2');
    await waitFor('node-2 to log that node-1 did not confirm', () => /not confirmed within \d+ ms by node-1/.test(b.output()));

    const refused = await failure(invoke(a.lambda, 'steady'));
    expect(refused).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
    expect(refused.message).toMatch(/taking in the cluster's latest changes/);
    expect(await failure(a.lambda.send(new GetFunctionCommand({ FunctionName: 'steady' })))).toMatchObject({ $metadata: { httpStatusCode: 503 } });
    await waitFor('node-1 to log the database as unavailable', () => /PostgreSQL at \S+ is unavailable/.test(a.output()));

    await outage.up();
    const version = await waitFor('node-1 to serve again', async () => (await invoke(a.lambda, 'steady').catch(() => undefined))?.body.version, 30_000);
    expect(version).toBe('v2');
  });
});
