// Building the conformance fixtures' packages: reading fixture folders into zips, compiling the
// Java probe with javac, building the Go bootstrap with `go build`, and laying aws-lambda-ric
// (installed on demand by ric-install.ts) next to a handler. Each builder says why it cannot run on this machine.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Files } from '../helpers/zip.js';
import { ROOT } from '../helpers/server.js';
import { RIC } from './ric-install.js';

export const FIXTURES = join(ROOT, 'test/conformance/fixtures');

/** Every file under `dir` (skipping `skip` folders), with its mode, as a zip's Files. */
export function folderFiles(dir: string, skip: readonly string[] = [], prefix = ''): Files {
  const files: Files = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const rel = relative(dir, path);
      if (skip.includes(rel)) continue;
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else files[prefix + rel] = { content: readFileSync(path), mode: st.mode & 0o777 };
    }
  };
  walk(dir);
  return files;
}

export function which(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * javac the fixture sources in `srcDir`. What they use from elsewhere (the runtime's own
 * interfaces, `alsoSee` folders) is compiled against, not packaged.
 */
export function compileJava(srcDir: string, alsoSee: readonly string[] = []): Files {
  const out = mkdtempSync(join(tmpdir(), 'lambkin-java-fixture-'));
  try {
    const sources = listJava(srcDir).map((f) => join(srcDir, f));
    const sourcePath = [join(ROOT, 'runtimes/java/src'), ...alsoSee].join(':');
    execFileSync('javac', ['--release', '17', '-nowarn', '-implicit:none', '-sourcepath', sourcePath, '-d', out, ...sources], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return folderFiles(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function listJava(dir: string): string[] {
  return Object.keys(folderFiles(dir)).filter((f) => f.endsWith('.java'));
}

/** `go build` of the Go probe into a static `bootstrap`; throws with go's output on failure. */
export function buildGo(srcDir: string): Uint8Array {
  const out = mkdtempSync(join(tmpdir(), 'lambkin-go-fixture-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOPROXY: 'off' };
    if (!env.HOME && !env.GOCACHE && !env.XDG_CACHE_HOME) env.GOCACHE = join(tmpdir(), 'lambkin-go-cache');
    execFileSync('go', ['build', '-trimpath', '-o', join(out, 'bootstrap'), '.'], { cwd: srcDir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    return readFileSync(join(out, 'bootstrap'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Why aws-lambda-ric is not there to test (runtime-ric.test.ts calls ensureRic() first). */
export function ricProblem(): string | undefined {
  if (!existsSync(join(RIC, 'index.mjs')) || !existsSync(join(RIC, 'rapid-client.node'))) {
    return 'aws-lambda-ric is not installed (runtime-ric.test.ts installs it: ric-install.ts)';
  }
  return undefined;
}

/** aws-lambda-ric as a user would bundle it under node_modules/ of the package. */
export function ricFiles(): Files {
  const files: Files = {};
  for (const name of ['index.mjs', 'package.json', 'rapid-client.node']) {
    const path = join(RIC, name);
    files[`node_modules/aws-lambda-ric/${name}`] = { content: readFileSync(path), mode: statSync(path).mode & 0o777 };
  }
  return files;
}
