// `lambkin serve --database-url` (issue 15): a database that cannot be reached stops the start
// with a message naming it (password hidden) and a non-zero exit; a bad URL is a usage error;
// a reachable one is used and named, again without its password, and a second machine (another
// data folder) on the same database runs the functions the first one deployed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { GetFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { NODE, createFunction, invoke, probe } from '../helpers/functions.js';
import { startLambkin } from '../helpers/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-dbstart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('lambkin serve with a database it cannot use', () => {
  it('a database that is down: exit non-zero, naming the URL without its password', async () => {
    // Loopback port 1: nothing listens there, the connection is refused at once.
    const run = await runCli(undefined, 'serve', '--port', '0', '--data-dir', dataDir, '--database-url', 'postgres://ann:topsecret@127.0.0.1:1/lambkin');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('postgres://ann:***@127.0.0.1:1/lambkin');
    expect(run.stderr).toMatch(/unavailable: .*ECONNREFUSED/);
    expect(run.stderr).toMatch(/Check that PostgreSQL is running/);
    expect(run.stdout + run.stderr).not.toContain('topsecret');
    expect(run.stdout).not.toContain('listening');
  });

  it('LAMBKIN_DATABASE_URL is read as the flag is, and a URL that is not PostgreSQL is refused', async () => {
    process.env.LAMBKIN_DATABASE_URL = 'mysql://ann:topsecret@127.0.0.1/lambkin';
    try {
      const run = await runCli(undefined, 'serve', '--port', '0', '--data-dir', dataDir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("--database-url / LAMBKIN_DATABASE_URL: 'mysql://ann:***@127.0.0.1/lambkin' is not a PostgreSQL URL");
      expect(run.stderr).not.toContain('topsecret');
    } finally {
      delete process.env.LAMBKIN_DATABASE_URL;
    }
  });

  it('a data folder a newer lambkin wrote: exit 2 with one line saying so and what to do, not an internal error', async () => {
    const newer = mkdtempSync(join(tmpdir(), 'lambkin-newer-'));
    try {
      const db = new Database(join(newer, 'registry.db'));
      db.pragma('user_version = 999');
      db.close();
      const run = await runCli(undefined, 'serve', '--port', '0', '--data-dir', newer);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/schema version 999; this lambkin knows up to \d+\. Run a newer lambkin, or point this one at another database\./);
      expect(run.stderr).not.toContain('internal error');
      expect(run.stdout).not.toContain('listening');
    } finally {
      rmSync(newer, { recursive: true, force: true });
    }
  });
});

describePostgres('lambkin serve with a database', () => {
  const database = useTestDatabase();

  it('starts, and says which database without its password', async () => {
    const server = await startLambkin({ args: ['--database-url', database.url().url] });
    try {
      const password = new URL(database.url().url).password;
      expect(server.output()).toContain(`functions in ${database.url().redacted}`);
      if (password) expect(server.output()).not.toContain(`:${password}@`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describePostgres('two lambkins on one database', () => {
  const database = useTestDatabase();

  it('the second, with an empty data folder, lists and runs what the first deployed', async () => {
    const first = await startLambkin({ args: ['--database-url', database.url().url] });
    try {
      await createFunction(first.lambda, 'shared', NODE, probe(NODE, 'from-first'));
      await first.lambda.send(new PublishVersionCommand({ FunctionName: 'shared' }));
      expect((await invoke(first.lambda, 'shared')).body.version).toBe('from-first');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await startLambkin({ args: ['--database-url', database.url().url] });
    try {
      expect(second.dataDir).not.toBe(first.dataDir);
      const got = await second.lambda.send(new GetFunctionCommand({ FunctionName: 'shared', Qualifier: '1' }));
      expect(got.Configuration?.Version).toBe('1');
      expect((await invoke(second.lambda, 'shared')).body.version).toBe('from-first');
      const zipped = await fetch(got.Code!.Location!);
      expect(zipped.status).toBe(200);
      expect((await zipped.arrayBuffer()).byteLength).toBe(got.Configuration?.CodeSize);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
