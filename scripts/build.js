// npm run build (and npm ci, npm start, npm test, npm pack): build what is older than its sources,
// and only that. Four steps — the server and CLI (tsc), the CLI bundle (build-cli.js), the Java
// runtime's jar (build-java-runtime.js, itself named after its sources' hash) and the console
// (tsc --noEmit + Vite). A step runs when one of its outputs is missing or one of its inputs
// changed since it last ran (its stamp under dist/.build/, dated when the step started, so that an
// edit made during a build is seen by the next). `--force` runs every step; `--package` (prepack)
// also refuses a tree that would make an incomplete package (no jar: the Java runtime would need a
// JDK on every machine the package goes to) and removes the jars of earlier Java sources.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMPS = join(ROOT, 'dist/.build');
const bin = (name) => join(ROOT, 'node_modules/.bin', name);

/** Newest modification time (ms) of `path`, a file or a folder walked for names matching `only`. */
function newest(path, only = /./) {
  const st = statSync(join(ROOT, path), { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of readdirSync(join(ROOT, path), { withFileTypes: true })) {
    const rel = join(path, e.name);
    if (e.isDirectory()) max = Math.max(max, newest(rel, only));
    else if (only.test(e.name)) max = Math.max(max, statSync(join(ROOT, rel)).mtimeMs);
  }
  return max;
}

const run = (command, ...args) => () => {
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
};

const JAVA_DIR = join(ROOT, 'runtimes/java');
const javaBuild = () => import(pathToFileURL(join(ROOT, 'dist/runtimes/java-build.js')).href);

async function javaJarBuilt() {
  return (await javaBuild()).jarBuilt(JAVA_DIR);
}

/** This machine's JDK has its class data sharing archive (src/runtimes/java-cds.ts), or there is no JDK. */
async function javaArchiveBuilt() {
  const { onPath } = await import(pathToFileURL(join(ROOT, 'dist/runtimes/binaries.js')).href);
  const { archiveName } = await import(pathToFileURL(join(ROOT, 'dist/runtimes/java-cds.js')).href);
  const java = onPath('java');
  const name = java && archiveName(JAVA_DIR, java);
  return !name || !!statSync(join(JAVA_DIR, name), { throwIfNoEntry: false });
}

/** Jars of earlier sources (each source version gets its own): no package needs them. */
async function pruneOldJars() {
  const keep = (await javaBuild()).jarName(JAVA_DIR);
  for (const name of readdirSync(join(JAVA_DIR, 'build'))) {
    if (name.endsWith('.jar') && join('build', name) !== keep) rmSync(join(JAVA_DIR, 'build', name));
  }
}

/** inputs: [path, filename filter?]; outputs: files that must exist. */
const STEPS = [
  {
    name: 'server',
    inputs: [['src', /\.ts$/], ['tsconfig.json'], ['package-lock.json']],
    outputs: ['dist/cli/index.js', 'dist/api/server.js'],
    run: run(bin('tsc'), '-p', 'tsconfig.json'),
  },
  {
    name: 'cli bundle',
    // What tsc wrote (a bare `tsc` since the last build counts too), not the bundle itself.
    inputs: [['dist/cli', /\.js$/], ['dist/client', /\.js$/], ['scripts/build-cli.js']],
    outputs: ['dist/cli/lambkin.cjs'],
    run: run(process.execPath, 'scripts/build-cli.js'),
  },
  {
    name: 'java runtime',
    inputs: [],
    outputs: [],
    // Already keyed by its sources' hash: stale exactly when the jar of these sources is missing,
    // or this JDK's class data sharing archive (keyed by the JVM and the class list).
    stale: async () => !(await javaJarBuilt()) || !(await javaArchiveBuilt()),
    run: run(process.execPath, 'scripts/build-java-runtime.js'),
  },
  {
    name: 'console',
    inputs: [['console'], ['package-lock.json']],
    outputs: ['dist/console/index.html'],
    run: () => {
      run(bin('tsc'), '-p', 'console/tsconfig.json')();
      run(bin('vite'), 'build', '-c', 'console/vite.config.ts')();
    },
  },
];

const stampOf = (step) => join(STAMPS, `${step.name.replace(/ /g, '-')}.stamp`);

async function stale(step) {
  if (step.stale) return step.stale();
  if (step.outputs.some((f) => !statSync(join(ROOT, f), { throwIfNoEntry: false }))) return true;
  const stamp = statSync(stampOf(step), { throwIfNoEntry: false })?.mtimeMs;
  return stamp === undefined || step.inputs.some(([path, only]) => newest(path, only) > stamp);
}

/** Builds what is stale; returns the names of the steps that ran. */
export async function build({ force = false } = {}) {
  const ran = [];
  for (const step of STEPS) {
    if (!force && !(await stale(step))) continue;
    const started = new Date();
    step.run();
    mkdirSync(STAMPS, { recursive: true });
    closeSync(openSync(stampOf(step), 'w'));
    utimesSync(stampOf(step), started, started);
    ran.push(step.name);
  }
  return ran;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t = performance.now();
  try {
    const ran = await build({ force: process.argv.includes('--force') });
    const took = `${((performance.now() - t) / 1000).toFixed(1)} s`;
    console.error(ran.length ? `lambkin build: ${ran.join(', ')} built (${took})` : `lambkin build: up to date (${took})`);
    if (process.argv.includes('--package')) {
      if (!(await javaJarBuilt())) {
        throw new Error('the Java runtime\'s jar is not built (no JDK here?): a package without it would need javac on ' +
          'every machine it is installed on. Install a JDK (apt-get install -y default-jdk-headless) and pack again');
      }
      await pruneOldJars();
    }
  } catch (err) {
    console.error(`lambkin build: ${err.message}`);
    process.exit(1);
  }
}
