// What survives the server: functions, their configuration and code persist across a restart on
// the same data folder; a shutdown leaves no runtime process and no scratch folder; a kill -9 in
// the middle of CreateFunction or UpdateFunctionCode leaves the old state or the new, never a mix.
// In the spread run the server is a 3-node cluster: a stop, a kill and a start act on every node
// (test/helpers/spread.ts), and what is looked for in "the data folder" is looked for in every
// node's (node-1's is the one a restart reuses; the others' go with their node).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, ListFunctionsCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { zip, type Files } from '../helpers/zip.js';
import {
  NODE, PROCESS_SANDBOX, PYTHON, ROLE, createFunction, invoke, probe, processesMentioning, waitFor,
} from '../helpers/functions.js';

const dirs: string[] = [];
const servers: Lambkin[] = [];

afterAll(async () => {
  for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) await s.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** The data folders of the server: its own, or every node's in the spread run. */
function dirsOf(lk: Lambkin): string[] {
  return (lk.nodes ?? [lk]).map((n) => n.dataDir);
}

/** The server's processes: itself, or every node. */
function pidsOf(lk: Lambkin): (number | undefined)[] {
  return (lk.nodes ?? [lk]).map((n) => n.proc.pid);
}

/** Runtime processes (not the server's own) that mention any of these folders. */
function processesIn(dirs: readonly string[], except: readonly (number | undefined)[] = []): number[] {
  return dirs.flatMap((d) => processesMentioning(d, except));
}

async function start(dataDir: string, args: readonly string[] = []): Promise<Lambkin> {
  const lk = await startLambkin({ dataDir, args });
  servers.push(lk);
  return lk;
}

describe('restart', () => {
  it('keeps functions across a restart; shutdown stops every runtime and removes every scratch folder', async () => {
    const dataDir = tempDir('lambkin-persist-');
    const a = await start(dataDir);
    await createFunction(a.lambda, 'keep-node', NODE, probe(NODE, 'n1'), { MemorySize: 256, Timeout: 30, Environment: { Variables: { KEY: 'v' } } });
    await createFunction(a.lambda, 'keep-python', PYTHON, probe(PYTHON, 'p1'));
    await createFunction(a.lambda, 'sleeper', NODE, probe(NODE), { Timeout: 60 });
    for (const name of ['keep-node', 'keep-python']) expect((await invoke(a.lambda, name)).functionError).toBeUndefined();
    // A third environment is still running an invocation when the server is told to stop.
    const sleeping = invoke(a.lambda, 'sleeper', { op: 'sleep', ms: 50_000 }).catch((err: Error) => err);
    const server = pidsOf(a);
    const dirs = dirsOf(a);
    // Three environments, and the pre-started sandboxes waiting for the next cold starts (one per
    // runtime: src/sandbox/prestart/pool.ts), which the shutdown must remove as well.
    await waitFor('three environments with their processes', () =>
      dirs.flatMap(scratchFolders).filter((f) => f !== 'sandbox').length >= 3 && processesIn(dirs, server).length >= 3);

    expect(await a.stop()).toBe(0);
    await sleeping;
    await waitFor('every runtime process to be gone', () => processesIn(dirs).length === 0);
    expect(dirs.flatMap(scratchFolders)).toEqual([]);

    const b = await start(dataDir);
    const names = ((await b.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName);
    expect(names.sort()).toEqual(['keep-node', 'keep-python', 'sleeper']);
    const cfg = await b.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'keep-node' }));
    expect(cfg).toMatchObject({ MemorySize: 256, Timeout: 30, Environment: { Variables: { KEY: 'v' } } });
    expect((await invoke(b.lambda, 'keep-node')).body).toMatchObject({ version: 'n1', count: 1 });
    expect((await invoke(b.lambda, 'keep-python')).body).toMatchObject({ version: 'p1', count: 1 });
    const code = await b.stop();
    expect(code, b.output()).toBe(0);
  });
});

describe('shutdown', () => {
  it('during cold starts (code still being copied) leaves no process and no scratch folder', async () => {
    const dataDir = tempDir('lambkin-shutdown-');
    // The process sandbox copies the code into each environment: a slow step to stop in the middle of.
    const a = await start(dataDir, PROCESS_SANDBOX);
    await a.lambda.send(new CreateFunctionCommand({
      FunctionName: 'heavy', Runtime: NODE.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: bigPackage('h', 400) },
    }));
    const invokes = Array.from({ length: 6 }, () => invoke(a.lambda, 'heavy').catch((err: Error) => err));
    // Environments exist (their folders are being made) but have not all started. Copying 400
    // files for 6 environments takes this machine longer than the server's 2 s grace for requests
    // in flight, so the environments are stopped while still being laid out.
    const dirs = dirsOf(a);
    await waitFor('environments being prepared', () => dirs.flatMap(scratchFolders).length > 0);
    expect(await a.stop()).toBe(0);
    await Promise.all(invokes);
    await waitFor('no runtime process in the data folder', () => processesIn(dirs).length === 0);
    expect(dirs.flatMap(scratchFolders)).toEqual([]);
  });
});

/** The folders under <dataDir>/run: one per environment while it lives (and the sandbox's own). */
function scratchFolders(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'run'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** A package whose unpacking takes a while (every file is fsynced): a wide window to crash in. */
function bigPackage(version: string, count = 200): Uint8Array {
  const files: Files = probe(NODE, version);
  for (let i = 0; i < count; i++) files[`filler/${i}.bin`] = randomBytes(2048);
  return zip(files);
}

function codeEntries(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'code'));
  } catch {
    return [];
  }
}

/** Wait for the moment to crash at: code being unpacked, or the unpacked code renamed into place. */
async function crashPoint(dirs: readonly string[], point: string, bytes: Uint8Array): Promise<void> {
  const sha = createHash('sha256').update(bytes).digest('hex');
  await waitFor(`the server to reach '${point}'`, () => dirs.some((dataDir) =>
    point === 'unpacking' ? codeEntries(dataDir).some((n) => n.startsWith('.tmp-')) : codeEntries(dataDir).includes(sha)));
}

describe('kill -9', () => {
  it.each(['unpacking', 'stored'])('during CreateFunction (at %s) leaves the function whole or absent', async (point) => {
    const dataDir = tempDir('lambkin-crash-');
    const a = await start(dataDir);
    const bytes = bigPackage('big1');
    const create = a.lambda.send(new CreateFunctionCommand({
      FunctionName: 'big', Runtime: NODE.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: bytes },
    })).catch((err: Error) => err);
    await crashPoint(dirsOf(a), point, bytes);
    await a.kill();
    await create;

    const b = await start(dataDir);
    const exists = await b.lambda.send(new GetFunctionCommand({ FunctionName: 'big' })).then(() => true, (err: Error) => {
      expect(err.name).toBe('ResourceNotFoundException');
      return false;
    });
    if (exists) {
      expect((await invoke(b.lambda, 'big')).body.version).toBe('big1');
    } else {
      // Nothing half-done is left behind, and the same create now simply works.
      expect(codeEntries(dataDir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
      await b.lambda.send(new CreateFunctionCommand({
        FunctionName: 'big', Runtime: NODE.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: bytes },
      }));
      expect((await invoke(b.lambda, 'big')).body.version).toBe('big1');
    }
    await b.stop();
  });

  it('of the server lets its runtimes end on their own', async () => {
    const dataDir = tempDir('lambkin-crash-');
    const a = await start(dataDir);
    await createFunction(a.lambda, 'n', NODE);
    await createFunction(a.lambda, 'p', PYTHON);
    for (const name of ['n', 'p']) expect((await invoke(a.lambda, name)).functionError).toBeUndefined();
    const dirs = dirsOf(a);
    expect(processesIn(dirs, pidsOf(a)).length).toBeGreaterThanOrEqual(2);
    // Let the pre-started sandboxes that refill after those cold starts come up (the same set of
    // processes for 1.5 s), so that they too must end on their own. A SIGKILL in the few ms while a
    // sandbox is being spawned can leave its outer bwrap behind (it has not set its parent-death
    // signal yet): a known gap, not what this test is about.
    let last = '';
    let since = Date.now();
    await waitFor('the pre-started sandboxes to be up', () => {
      const now = processesIn(dirs, pidsOf(a)).sort().join(',');
      if (now !== last) [last, since] = [now, Date.now()];
      return Date.now() - since >= 1500;
    });
    await a.kill();
    // Their Runtime API is gone: a runtime waiting for its next event exits.
    await waitFor('the runtimes of the killed server to exit', () => processesIn(dirs).length === 0);
  });

  it.each(['unpacking', 'stored'])('during UpdateFunctionCode (at %s) leaves the old code or the new', async (point) => {
    const dataDir = tempDir('lambkin-crash-');
    const a = await start(dataDir);
    const old = zip(probe(NODE, 'old'));
    await a.lambda.send(new CreateFunctionCommand({
      FunctionName: 'upd', Runtime: NODE.runtime, Role: ROLE, Handler: 'lambda_function.lambda_handler', Code: { ZipFile: old },
    }));
    const bytes = bigPackage('new');
    const update = a.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'upd', ZipFile: bytes })).catch((err: Error) => err);
    await crashPoint(dirsOf(a), point, bytes);
    await a.kill();
    await update;

    const b = await start(dataDir);
    const res = await invoke(b.lambda, 'upd');
    expect(res.functionError).toBeUndefined();
    expect(['old', 'new']).toContain(res.body.version);
    const cfg = await b.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'upd' }));
    const expected = res.body.version === 'new' ? bytes : old;
    expect(cfg.CodeSha256).toBe(createHash('sha256').update(expected).digest('base64'));
    expect(codeEntries(dataDir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    await b.stop();
  });
});
