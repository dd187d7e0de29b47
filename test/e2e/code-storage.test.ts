// Code on disk (issue 14, item 11), on a real server with the default sandbox:
// - replaced and deleted code leaves <data dir>/code at once (five updates of a 20 KB zip that
//   expands to 20 MB used to leave 100 MB there until the next restart), but not while an
//   environment still runs from it: an invocation under way keeps reading its own code;
// - the code storage limit (--code-storage-limit; Lambda's 75 GB quota by default, counted as Lambda
//   counts it: the zips of $LATEST and of every version) refuses an upload with
//   CodeStorageExceededException and changes nothing.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetAccountSettingsCommand, GetFunctionCommand, InvokeCommand, PublishVersionCommand,
  UpdateFunctionCodeCommand, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { NODE, ROLE, invoke, waitFor } from '../helpers/functions.js';
import { zip, type Files } from '../helpers/zip.js';
import { failure } from '../helpers/failure.js';

const MB = 1024 * 1024;

/** What the code folder holds, leaving out what is being deleted (.tmp- names). */
function stored(lk: Lambkin): string[] {
  return readdirSync(join(lk.dataDir, 'code')).filter((n) => !n.startsWith('.tmp-')).sort();
}

function hexOf(b64: string | undefined): string {
  return Buffer.from(b64 ?? '', 'base64').toString('hex');
}

const shaFolders = (sha: string) => [sha, `${sha}.zip`];

// 20 MB of zeros (a 20 KB zip) and a handler saying which release it is.
function release(n: number): Files {
  return {
    'lambda_function.js': `exports.lambda_handler = async () => ({ release: ${n} });\n`,
    'padding.bin': new Uint8Array(20 * MB),
  };
}

async function create(lambda: LambdaClient, name: string, files: Files): Promise<string> {
  const out = await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: NODE.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: zip(files) },
  }));
  return hexOf(out.CodeSha256);
}

async function update(lambda: LambdaClient, name: string, files: Files): Promise<string> {
  const out = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(files) }));
  return hexOf(out.CodeSha256);
}

describe('unreferenced code', () => {
  let lk: Lambkin;
  beforeAll(async () => {
    lk = await startLambkin();
  });
  afterAll(async () => {
    await lk?.stop();
  });

  it('five code updates leave only the code in use', async () => {
    let sha = await create(lk.lambda, 'grow', release(0));
    expect((await invoke<{ release: number }>(lk.lambda, 'grow')).body).toEqual({ release: 0 });
    for (let n = 1; n <= 5; n++) {
      const zipped = zip(release(n)).length;
      expect(zipped).toBeLessThan(100 * 1024);
      sha = await update(lk.lambda, 'grow', release(n));
      // The new code runs (a new environment); the old one's environment is retired.
      expect((await invoke<{ release: number }>(lk.lambda, 'grow')).body).toEqual({ release: n });
    }
    await waitFor('only the current code to be stored', () => JSON.stringify(stored(lk)) === JSON.stringify(shaFolders(sha)));
  });

  it('a published version keeps its code; deleting the version or the function removes it', async () => {
    const v1 = await create(lk.lambda, 'versioned', release(10));
    await lk.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    const latest = await update(lk.lambda, 'versioned', release(11));
    expect(stored(lk)).toEqual(expect.arrayContaining([...shaFolders(v1), ...shaFolders(latest)]));
    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }));
    await waitFor('version 1\'s code to go', () => !stored(lk).includes(v1));
    expect(stored(lk)).toEqual(expect.arrayContaining(shaFolders(latest)));
    await lk.lambda.send(new DeleteFunctionCommand({ FunctionName: 'versioned' }));
    await waitFor('the deleted function\'s code to go', () => !stored(lk).includes(latest));
  });

  it('code an invocation is running from stays until its environment stops', async () => {
    // Reads a file of its package only after a while: the update lands in between (usually).
    const slow: Files = {
      'lambda_function.js': `exports.lambda_handler = async () => {
  await new Promise((r) => setTimeout(r, 2000));
  return require('./late.js');
};
`,
      'late.js': 'module.exports = { late: "old" };\n',
    };
    const old = await create(lk.lambda, 'slow', slow);
    const running = lk.lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{}') }));
    await waitFor('its environment to be busy', async () => {
      const res = await fetch(`${lk.url}/lambkin/v1/environments`);
      const body = (await res.json()) as { environments: { functionName: string; busy: boolean }[] };
      return body.environments.some((e) => e.functionName === 'slow' && e.busy);
    });
    const fresh = await update(lk.lambda, 'slow', { ...slow, 'late.js': 'module.exports = { late: "new" };\n' });
    expect(stored(lk)).toEqual(expect.arrayContaining(shaFolders(old)));
    const out = await running;
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ late: 'old' });
    await waitFor('the old code to go once its environment stopped', () => !stored(lk).includes(old));
    expect(stored(lk)).toEqual(expect.arrayContaining(shaFolders(fresh)));
  });
});

describe('the code storage limit', () => {
  let lk: Lambkin;
  beforeAll(async () => {
    lk = await startLambkin({ args: ['--sandbox', 'process', '--code-storage-limit', '100K'] });
  });
  afterAll(async () => {
    await lk?.stop();
  });

  // Random bytes do not compress: each zip is a little over 40 KB.
  const package40k = (): Files => ({ 'lambda_function.js': 'exports.lambda_handler = async () => 1;\n', 'noise.bin': randomBytes(40 * 1024) });

  it('refuses code past it, Lambda-shaped, and changes nothing', async () => {
    await create(lk.lambda, 'first', package40k());
    await create(lk.lambda, 'second', package40k()); // ~80 KB of 100 KB
    const before = stored(lk);
    const refused = await failure(create(lk.lambda, 'third', package40k()));
    expect(refused?.name).toBe('CodeStorageExceededException');
    expect(refused?.$metadata?.httpStatusCode).toBe(400);
    expect(refused?.message).toMatch(/Code storage limit exceeded: .* over this server's limit of 102400 \(--code-storage-limit\)/);
    const missing = await failure(lk.lambda.send(new GetFunctionCommand({ FunctionName: 'third' })));
    expect(missing?.name).toBe('ResourceNotFoundException');
    expect(stored(lk)).toEqual(before);

    // Replacing code counts the difference: a new package of the same size fits.
    await update(lk.lambda, 'first', package40k());
    // A version stores its code once more, as Lambda counts it: past the limit.
    const publish = await failure(lk.lambda.send(new PublishVersionCommand({ FunctionName: 'first' })));
    expect(publish?.name).toBe('CodeStorageExceededException');

    const settings = await lk.lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit?.TotalCodeSize).toBe(100 * 1024);
    expect(settings.AccountUsage?.TotalCodeSize).toBeLessThanOrEqual(100 * 1024);
  });
});
