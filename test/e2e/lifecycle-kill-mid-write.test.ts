// No half-written function (issue 15): the server is killed (SIGKILL) while CreateFunction
// (some with Publish), UpdateFunctionCode and PublishVersion calls are in flight from ten workers — zips of 1 MB of
// random bytes each, so that the kill lands while code is being received, unpacked and stored and
// rows written. After a restart on the same data folder (and, in the postgres project, the same
// database), every function either does not exist or exists whole: its configuration, code that
// runs and answers as the zip it was given, versions numbered 1…n with code that runs too, version
// 1 with a Create that asked for Publish; whatever was acknowledged before the kill is there; and
// the code folder holds no half-written or unreferenced code.
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand, GetFunctionCommand, InvokeCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
  UpdateFunctionCodeCommand, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { startLambkin, type Lambkin } from '../helpers/server.js';
import { PROCESS_SANDBOX, ROLE } from '../helpers/functions.js';
import { zip } from '../helpers/zip.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lambkin-kill-write-'));
const servers: Lambkin[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const BASE = 4; // functions made before the storm: updated and published during it, by one worker each
const CREATORS = 6; // workers creating new functions during it, every other one with Publish
const KILL_AFTER = 24; // calls answered before the kill

interface Package {
  readonly marker: string;
  readonly zip: Uint8Array;
  readonly sha: string; // base64, as CodeSha256 is on the wire
}

/** A zip whose handler answers `marker`, with 1 MB of incompressible padding. */
function pkg(marker: string): Package {
  const bytes = zip({
    'index.js': `exports.handler = async () => ({ marker: ${JSON.stringify(marker)} });`,
    'padding.bin': randomBytes(1 << 20),
  });
  return { marker, zip: bytes, sha: createHash('sha256').update(bytes).digest('base64') };
}

function create(lambda: LambdaClient, name: string, p: Package, publish: boolean) {
  return lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: p.zip }, Publish: publish,
  }));
}

async function markerOf(lambda: LambdaClient, name: string, qualifier?: string): Promise<string> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }));
  expect(out.FunctionError, `${name}:${qualifier ?? '$LATEST'} runs`).toBeUndefined();
  return (JSON.parse(Buffer.from(out.Payload!).toString()) as { marker: string }).marker;
}

it('leaves every function whole or absent after a SIGKILL among concurrent creates, updates and publishes', async () => {
  const first = await startLambkin({ dataDir, args: PROCESS_SANDBOX });
  servers.push(first);
  const packages = new Map<string, Package[]>(); // what each function may run
  const base = Array.from({ length: BASE }, (_, i) => `base-${i}`);
  for (const name of base) {
    const p = pkg(`${name}-a`);
    packages.set(name, [p]);
    await create(first.lambda, name, p, false);
  }

  // The storm: workers that each send one call after another (so that calls are always in
  // flight), killed once KILL_AFTER calls have answered.
  const acked = { created: new Set<string>(), updatedTo: new Map<string, number>(), published: new Map<string, string[]>() };
  let answered = 0;
  let killing: Promise<void> | undefined;
  const outcomes: PromiseSettledResult<unknown>[] = [];
  const call = async <T>(p: Promise<T>): Promise<T | undefined> => {
    const [result] = await Promise.allSettled([p]);
    outcomes.push(result!);
    if (++answered >= KILL_AFTER && !killing) killing = first.kill();
    return result!.status === 'fulfilled' ? result!.value : undefined;
  };
  const creator = async (w: number) => {
    for (let i = 0; !killing; i++) {
      const name = `new-${w}-${i}`;
      const p = pkg(`${name}-a`);
      packages.set(name, [p]);
      if (await call(create(first.lambda, name, p, i % 2 === 0))) acked.created.add(name);
    }
  };
  const updater = async (name: string) => {
    for (let i = 1; !killing; i++) {
      const p = pkg(`${name}-${i}`);
      packages.get(name)!.push(p);
      if (await call(first.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: p.zip })))) acked.updatedTo.set(name, i);
      if (killing) break;
      const v = await call(first.lambda.send(new PublishVersionCommand({ FunctionName: name })));
      if (v) acked.published.set(name, [...(acked.published.get(name) ?? []), v.Version!]);
    }
  };
  await Promise.all([...Array.from({ length: CREATORS }, (_, w) => creator(w)), ...base.map(updater)]);
  await killing;
  // An answer is an HTTP response (success or a Lambda error); a call cut off has none.
  const cut = outcomes.filter((r) => r.status === 'rejected' && (r.reason as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined);
  const errors = outcomes.filter((r) => r.status === 'rejected').length - cut.length;
  console.log(`kill mid-write: of ${outcomes.length} calls ${outcomes.length - cut.length} answered (${errors} with an error), ${cut.length} cut off by the kill`);
  expect(cut.length).toBeGreaterThan(0); // the kill did land while calls were in flight

  const second = await startLambkin({ dataDir, args: PROCESS_SANDBOX });
  servers.push(second);
  const { lambda } = second;
  const referenced = new Set<string>();
  let whole = 0;
  for (const [name, allowed] of packages) {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: name })).catch((err: { name?: string }) => {
      expect(err.name, `${name}: absent, not broken`).toBe('ResourceNotFoundException');
      return undefined;
    });
    if (!got) {
      expect(acked.created.has(name), `${name} was created (201) before the kill`).toBe(false);
      expect(base.includes(name), `${name} existed before the storm`).toBe(false);
      continue;
    }
    whole++;
    const latest = allowed.find((p) => p.sha === got.Configuration!.CodeSha256);
    expect(latest, `${name}'s code is one it was given`).toBeDefined();
    expect(got.Configuration!.CodeSize).toBe(latest!.zip.length);
    expect(await markerOf(lambda, name)).toBe(latest!.marker);
    // Not older than the last update acknowledged (a later one may have committed unanswered).
    expect(allowed.indexOf(latest!), `${name} has its last acknowledged code`).toBeGreaterThanOrEqual(acked.updatedTo.get(name) ?? 0);
    referenced.add(Buffer.from(latest!.sha, 'base64').toString('hex'));

    const versions = (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions!
      .filter((v) => v.Version !== '$LATEST');
    expect(versions.map((v) => v.Version), `${name}'s versions are numbered 1…n`).toEqual(versions.map((_, i) => String(i + 1)));
    for (const v of versions) {
      const code = allowed.find((p) => p.sha === v.CodeSha256);
      expect(code, `${name}:${v.Version}'s code is one it was given`).toBeDefined();
      expect(await markerOf(lambda, name, v.Version)).toBe(code!.marker);
      referenced.add(Buffer.from(code!.sha, 'base64').toString('hex'));
    }
    if (name.startsWith('new-')) {
      const withPublish = Number(name.split('-')[2]) % 2 === 0;
      expect(versions.length, `${name}: version 1 if and only if it was created with Publish`).toBe(withPublish ? 1 : 0);
    }
    for (const v of acked.published.get(name) ?? []) expect(versions.map((x) => x.Version)).toContain(v);
  }
  console.log(`kill mid-write: ${whole} of ${packages.size} functions exist after the restart, each whole`);

  // The code folder: no leftover of an interrupted write, nothing that no function or version uses.
  const onDisk = readdirSync(join(dataDir, 'code'));
  expect(onDisk.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  expect(onDisk.map((n) => n.replace(/\.zip$/, '')).filter((h) => !referenced.has(h))).toEqual([]);
}, 180_000);
