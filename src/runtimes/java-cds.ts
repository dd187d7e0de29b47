// Class data sharing for the Java runtime: the JDK classes its bootstrap loads (runtimes/java/
// classlist) dumped once per JDK into an archive beside the jar, which every JVM the runtime starts
// maps instead of loading and verifying those classes again (a JVM's own default archive holds
// fewer of them). Measured here: ~10–20 ms less CPU per Java cold start (~100 → ~90 ms).
// The archive belongs to one JVM build: its name carries a hash of that JVM's libjvm.so (path,
// size, mtime) and of the class list, so a JDK upgrade gets a new one. It holds JDK classes only,
// so it is valid whatever the class path (the sandbox shows the jar at another path than the host).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The archive's file name (relative to runtimes/java) for this JVM, or undefined without one to key it by. */
export function archiveName(javaDir: string, java: string): string | undefined {
  try {
    const home = dirname(dirname(realpathSync(java)));
    const libjvm = join(home, 'lib/server/libjvm.so');
    const s = statSync(libjvm);
    const h = createHash('sha256').update(`${libjvm}\0${s.size}\0${s.mtimeMs}\0`).update(readFileSync(join(javaDir, 'classlist')));
    return join('build', `jdk-${h.digest('hex').slice(0, 16)}.jsa`);
  } catch {
    return undefined; // a JVM laid out otherwise: it runs with its own default archive
  }
}

function dumpArgs(javaDir: string, out: string): string[] {
  // -Xshare:dump writes a static archive of exactly the listed classes (boot and platform ones).
  return ['-Xshare:dump', `-XX:SharedClassListFile=${join(javaDir, 'classlist')}`, `-XX:SharedArchiveFile=${out}`];
}

/** Archives this process has dumped or tried to: one attempt each (a read-only install fails for good). */
const tried = new Set<string>();

/**
 * The archive's name when it exists. Else undefined, and (unless `wait`) it is dumped in the
 * background for the JVMs started after it (~1–3 s of one core, once per JDK); with `wait` (npm run
 * build) it is dumped now. Never throws: without an archive the JVM uses its default one.
 */
export function ensureArchive(javaDir: string, java: string, wait = false): string | undefined {
  const name = archiveName(javaDir, java);
  if (!name) return undefined;
  const file = join(javaDir, name);
  if (existsSync(file)) return name;
  if (tried.has(file)) return undefined;
  tried.add(file);
  // A file of this process's own, renamed into place whole: a concurrent server never maps half of one.
  const tmp = `${file}.${process.pid}.tmp`;
  const done = (err: unknown): boolean => {
    try {
      if (err) rmSync(tmp, { force: true });
      else renameSync(tmp, file);
      return !err;
    } catch {
      return false;
    }
  };
  try {
    mkdirSync(dirname(file), { recursive: true });
    if (wait) {
      execFileSync(java, dumpArgs(javaDir, tmp), { stdio: 'ignore', timeout: 120_000 });
      return done(undefined) ? name : undefined;
    }
    execFile(java, dumpArgs(javaDir, tmp), { timeout: 120_000 }, done);
  } catch (err) {
    done(err);
  }
  return undefined;
}
