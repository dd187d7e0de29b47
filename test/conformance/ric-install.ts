// aws-lambda-ric, installed on demand for runtime-ric.test.ts only. It is no dependency of lambkin
// (not even a dev one): its install builds curl and aws-lambda-cpp from source, then a native addon
// (cmake, make and a C++ compiler, ~1 min of CPU), which no user of lambkin needs. This installs the
// exact tree of ric-lock/ (committed) into .cache/ (git ignores it), once: later runs reuse it until
// the lock changes. Not under node_modules/, which every `npm ci` empties; the folder is named after
// Node.js's module ABI, so that a new Node.js gets an addon built for it. Where the build tools are
// missing, the test is skipped saying which; CI (.ci/run) installs them, so there it always runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/server.js';

const LOCK = join(ROOT, 'test/conformance/ric-lock');
const CACHES = join(ROOT, '.cache');
const CACHE = join(CACHES, `aws-lambda-ric-node-v${process.versions.modules}-${process.platform}-${process.arch}`);
/** aws-lambda-ric's package folder once installed. */
export const RIC = join(CACHE, 'node_modules/aws-lambda-ric');
const BUILD_TOOLS = ['cmake', 'make', 'g++'] as const;

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** The build tools aws-lambda-ric's install needs that this machine lacks. */
export function missingBuildTools(): string[] {
  return BUILD_TOOLS.filter((t) => !onPath(t));
}

/** Installed, from the lock as committed now (a changed lock means installing again). */
function current(): boolean {
  const lock = join(CACHE, 'package-lock.json');
  return existsSync(join(RIC, 'rapid-client.node'))
    && existsSync(lock) && readFileSync(lock, 'utf8') === readFileSync(join(LOCK, 'package-lock.json'), 'utf8');
}

/**
 * Installs aws-lambda-ric unless it is already there. Returns why it cannot be, when only missing
 * build tools stand in the way (in CI that throws instead); throws with npm's output when the install itself fails (the test
 * then fails: that is a real problem, not this machine's).
 */
export function ensureRic(): string | undefined {
  if (current()) return undefined;
  const missing = missingBuildTools();
  if (missing.length) {
    const why = `aws-lambda-ric builds native code at install and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} ` +
      'missing (apt-get install -y cmake g++ make; CI installs them)';
    // In CI a skip would hide an untested runtime client (as vitest.config.ts does for PostgreSQL).
    if (process.env.CI === 'true') throw new Error(`CI: ${why}`);
    return why;
  }
  // Into a folder of this process's own, then renamed: two test runs at once never mix their files.
  mkdirSync(CACHES, { recursive: true });
  const work = `${CACHE}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  try {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(LOCK, f), join(work, f));
    process.stderr.write('runtime-ric: installing aws-lambda-ric from test/conformance/ric-lock (builds native code, about a minute, once)…\n');
    const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000,
    });
    if (npm.status !== 0) {
      const output = `${npm.stdout ?? ''}${npm.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
      throw new Error(`installing aws-lambda-ric failed (npm ci exited ${npm.status ?? npm.signal ?? npm.error?.message}):\n${output}`);
    }
    if (!current()) {
      rmSync(CACHE, { recursive: true, force: true });
      try {
        renameSync(work, CACHE);
      } catch (err) {
        // Another run finished first: its install is as good as this one.
        if (!current()) throw err;
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return undefined;
}
