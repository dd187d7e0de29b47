// The Java runtime's own code (runtimes/java/src) compiled into one jar, named after a hash of its
// sources so that a changed source gets a new jar and several servers never write the same file.
// `npm run build` builds it (scripts/build-java-runtime.js); a server whose tree was built some
// other way builds it on first use (javac takes a few seconds, once per source version).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { onPath } from './binaries.js';

export interface JavaBuild {
  /** runtimes/java on the host. */
  readonly javaDir: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.java') ? [path] : [];
  }).sort();
}

let hashCache: { dir: string; hash: string } | undefined;

function sourceHash(srcDir: string): string {
  if (hashCache?.dir === srcDir) return hashCache.hash;
  const h = createHash('sha256');
  for (const file of sources(srcDir)) h.update(relative(srcDir, file)).update('\0').update(readFileSync(file)).update('\0');
  hashCache = { dir: srcDir, hash: h.digest('hex').slice(0, 16) };
  return hashCache.hash;
}

/** The jar's file name (relative to runtimes/java) for the current sources. */
export function jarName(javaDir: string): string {
  return join('build', `lambkin-runtime-${sourceHash(join(javaDir, 'src'))}.jar`);
}

export function jarBuilt(javaDir: string): boolean {
  return existsSync(join(javaDir, jarName(javaDir)));
}

/** Build the jar unless it exists; returns its host path. Throws with javac's output on failure. */
export function ensureJar(javaDir: string): string {
  const jar = join(javaDir, jarName(javaDir));
  if (existsSync(jar)) return jar;
  const javac = onPath('javac');
  const jarTool = javac ? join(dirname(javac), 'jar') : undefined;
  if (!javac || !jarTool || !existsSync(jarTool)) {
    throw new Error('the Java runtime is not built and javac is missing: apt-get install -y default-jdk-headless');
  }
  mkdirSync(dirname(jar), { recursive: true });
  const work = mkdtempSync(join(dirname(jar), '.build-'));
  try {
    const classes = join(work, 'classes');
    mkdirSync(classes);
    execFileSync(javac, ['--release', '17', '-nowarn', '-encoding', 'UTF-8', '-d', classes, ...sources(join(javaDir, 'src'))], {
      stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
    });
    const tmpJar = join(work, basename(jar));
    execFileSync(jarTool, ['--create', '--file', tmpJar, '-C', classes, '.'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    renameSync(tmpJar, jar); // atomic: a concurrent server sees the whole jar or none
    // Jars of older sources go, once no server started from that tree can still be using them.
    for (const old of readdirSync(dirname(jar))) {
      const path = join(dirname(jar), old);
      if (old.startsWith('lambkin-runtime-') && old.endsWith('.jar') && old !== basename(jar) && statSync(path).mtimeMs < Date.now() - 86_400_000) {
        rmSync(path, { force: true });
      }
    }
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`the Java runtime could not be compiled: ${e.stderr?.toString().trim() || e.message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return jar;
}
