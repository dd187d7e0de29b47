// A cluster node's start: `--cluster` needs PostgreSQL and NATS (with JetStream and room for 6 MB
// payloads), says what is missing in one line, and with both serves the whole API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { natsServerAvailable, startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { CLI, startLambkin } from '../helpers/server.js';

function serveFails(args: string[]): { status: number | null; stderr: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-test-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

it('--cluster without a database or NATS stops with what to add', () => {
  const noDb = serveFails(['--cluster', '--nats-url', 'nats://127.0.0.1:4222']);
  expect(noDb.status).toBe(2);
  expect(noDb.stderr).toMatch(/--cluster needs --database-url/);
  const noNats = serveFails(['--cluster', '--database-url', 'postgres://u:p@127.0.0.1:5432/db']);
  expect(noNats.stderr).toMatch(/--cluster needs --nats-url/);
  const natsAlone = serveFails(['--nats-url', 'nats://127.0.0.1:4222']);
  expect(natsAlone.stderr).toMatch(/add --cluster/);
});

describePostgres('a cluster node', () => {
  const db = useTestDatabase();
  let nats: NatsServer;
  beforeAll(async () => {
    if (!natsServerAvailable()) throw new Error('nats-server is not installed: apt-get install nats-server (see .ci/run)');
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('starts with PostgreSQL and NATS and serves the Lambda API', async () => {
    const node = await startLambkin({ args: ['--cluster', '--database-url', db.url().url, '--nats-url', nats.url, '--node-id', 'node-a'] });
    try {
      const listed = await node.lambda.send(new ListFunctionsCommand({}));
      expect(listed.Functions).toEqual([]);
    } finally {
      expect(await node.stop()).toBe(0);
    }
  });

  it('a NATS server that cannot be reached stops the start with what to check', () => {
    const r = serveFails(['--cluster', '--database-url', db.url().url, '--nats-url', 'nats://127.0.0.1:1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1.*nats-server -js/);
  });
});
