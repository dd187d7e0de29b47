// The async queue and the console's store live in PostgreSQL when lambkin serves with
// --database-url (issue 15): a second lambkin started from another, empty data folder on the same
// database finds the first one's pending Event invocation and runs it, and shows its deploy
// history. Neither store leaves a file in the data folder.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteFunctionConcurrencyCommand, InvokeCommand, PutFunctionConcurrencyCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { NODE, PROCESS_SANDBOX, createFunction, waitFor } from '../helpers/functions.js';
import { describePostgres, useTestDatabase } from '../helpers/database.js';
import { startLambkin, type Lambkin } from '../helpers/server.js';

const out = mkdtempSync(join(tmpdir(), 'lambkin-shared-'));
const servers: Lambkin[] = [];

const RECORDER = {
  'lambda_function.js': `
const fs = require('node:fs');
exports.lambda_handler = async (event) => {
  fs.appendFileSync(process.env.OUT_DIR + '/ran.log', event.tag + '\\n');
  return event.tag;
};
`,
};

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  rmSync(out, { recursive: true, force: true });
});

function ran(): string[] {
  const file = join(out, 'ran.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function deploys(lk: Lambkin, name: string): Promise<{ kind: string; memorySize?: number }[]> {
  const res = await fetch(`${lk.url}/lambkin/v1/deploys?function=${name}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { deploys: { kind: string; memorySize?: number }[] }).deploys;
}

describePostgres('async queue and console store on PostgreSQL', () => {
  const database = useTestDatabase();

  it('a lambkin on another data folder, same database, runs the pending event and shows the deploy history', async () => {
    const args = [...PROCESS_SANDBOX, '--database-url', database.url().url];
    const first = await startLambkin({ args });
    servers.push(first);
    await createFunction(first.lambda, 'recorder', NODE, RECORDER, { Environment: { Variables: { OUT_DIR: out } } });
    await first.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'recorder', MemorySize: 256 }));
    // Reserved concurrency 0: the event is accepted (202) and stays queued.
    await first.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'recorder', ReservedConcurrentExecutions: 0 }));
    const accepted = await first.lambda.send(new InvokeCommand({
      FunctionName: 'recorder', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ tag: 'queued-on-first' })),
    }));
    expect(accepted.StatusCode).toBe(202);
    const history = await waitFor('the update in the deploy history', async () => {
      const d = await deploys(first, 'recorder');
      return d.length === 2 && d;
    });
    expect(history.map((d) => [d.kind, d.memorySize])).toEqual([['configuration', 256], ['create', 128]]);
    expect(existsSync(join(first.dataDir, 'async.db'))).toBe(false);
    expect(existsSync(join(first.dataDir, 'console.db'))).toBe(false);
    await first.stop();
    expect(ran()).toEqual([]);

    const second = await startLambkin({ args }); // a fresh data folder
    servers.push(second);
    expect(await deploys(second, 'recorder')).toEqual(history);
    await second.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'recorder' }));
    await waitFor('the first lambkin\'s event to run on the second', () => ran().length > 0);
    expect(ran()).toEqual(['queued-on-first']);
  });
});
