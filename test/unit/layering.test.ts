// The folders' dependency graph (docs/architecture.md, "Allowed imports"), checked on every import
// in src/ and runtimes/: exactly the edges of ALLOWED, plus the named exceptions of EXCEPTIONS,
// each with its reason; an exception that is no longer needed fails the test too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return found.map((m) => (m[1] ?? m[2])!).filter((s) => s.startsWith('.'));
}

/** The top folder of src/ a file belongs to ('' for files directly in src/). */
function area(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length > 1 ? rel[0]! : '';
}

// The intended graph: which areas each area may import, besides itself and the shared files
// directly in src/ (config, settings, errors, ids). Keep in step with docs/architecture.md.
const ALLOWED: Record<string, readonly string[]> = {
  cli: ['client'],
  client: [],
  api: ['cluster', 'scheduler', 'registry', 'logs', 'database'],
  cluster: ['scheduler', 'registry', 'logs', 'database'],
  scheduler: ['environment', 'registry', 'logs', 'database'],
  environment: ['sandbox', 'runtimes', 'registry', 'logs'],
  sandbox: [],
  runtimes: [],
  registry: ['database'],
  logs: ['database'],
  database: [], // knows no store: each brings its own schema
  '': ['database'], // config.ts checks --database-url
};

// Imports that break the graph today, each named by file and the area it reaches, with why it stays.
const EXCEPTIONS: readonly { file: string; to: string; why: string }[] = [
  { file: 'src/cli/serve.ts', to: 'api', why: '`lambkin serve` starts the server in its own process: the one place cli reaches api' },
  { file: 'src/cli/doctor-checks.ts', to: 'sandbox', why: '`lambkin doctor` asks the sandbox probes what this machine has' },
  { file: 'src/cli/doctor-checks.ts', to: 'runtimes', why: '`lambkin doctor` asks the runtime catalogue which interpreters are installed' },
  { file: 'src/api/start-steps.ts', to: 'sandbox', why: 'the server start chooses the sandbox backend once (server.ts hands it to the scheduler)' },
  { file: 'src/api/lambda/config-input.ts', to: 'runtimes', why: 'a Runtime is validated against the catalogue; to move behind the registry with the rest of function validation' },
  { file: 'src/api/lambda/debug.ts', to: 'runtimes', why: 'which debugger a runtime has, and whether it is installed, is asked of the catalogue, as config-input.ts does; to move behind the scheduler with the runtime-installed check' },
  { file: 'src/api/lambda/schemas.ts', to: 'runtimes', why: 'the Runtime enum of the request schemas is the catalogue\'s list of ids' },
  { file: 'src/api/runtimes.ts', to: 'runtimes', why: 'GET /lambkin/v1/runtimes describes the catalogue itself' },
];

describe('layering', () => {
  const all = files(SRC, /\.ts$/);

  it('every import in src/ follows the graph or is a named exception, and every exception is still needed', () => {
    const violations: string[] = [];
    const used = new Set<string>();
    for (const file of all) {
      const from = area(file);
      const rel = relative(ROOT, file);
      for (const spec of imports(file)) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC)) {
          violations.push(`${rel} imports ${spec}, outside src/`);
          continue;
        }
        const to = area(target);
        if (to === from || to === '') continue;
        if ((ALLOWED[from] ?? []).includes(to)) continue;
        const exception = EXCEPTIONS.find((e) => e.file === rel && e.to === to);
        if (exception) used.add(`${exception.file} -> ${exception.to}`);
        else violations.push(`${rel} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(violations).toEqual([]);
    expect(EXCEPTIONS.map((e) => `${e.file} -> ${e.to}`).filter((e) => !used.has(e))).toEqual([]);
  });

  it('every area of src/ is in the graph', () => {
    const areas = new Set(all.map(area));
    expect([...areas].filter((a) => !(a in ALLOWED))).toEqual([]);
    expect(Object.keys(ALLOWED).filter((a) => !areas.has(a))).toEqual([]);
  });

  // Issue 15: each store lives in its own folder; nothing else may reach a database driver, so
  // that a new implementation (or a second node) never has to chase SQL through the code.
  it('only the stores import a database driver (better-sqlite3, pg)', () => {
    const STORE_HOMES = [
      /^src\/database\//, /^src\/registry\//, /^src\/logs\//, /^src\/scheduler\/async-queue[^/]*$/, /^src\/scheduler\/async-queue\//,
      /^src\/api\/console-api\/(sqlite-|postgres-)?store[^/]*$/, /^src\/api\/console-api\/store\//,
    ];
    const driver = /(?:import|export)\s[^'"]*?from\s+['"](better-sqlite3|pg)(?:\/[^'"]*)?['"]|(?:import|require)\(\s*['"](better-sqlite3|pg)['"]\s*\)/;
    const offenders = all
      .map((f) => relative(ROOT, f))
      .filter((rel) => !STORE_HOMES.some((home) => home.test(rel)))
      .filter((rel) => driver.test(readFileSync(join(ROOT, rel), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the bootstraps in runtimes/ import nothing from src/', () => {
    const boot = files(join(ROOT, 'runtimes'), /\.(js|mjs|cjs|ts)$/);
    const offenders = boot.filter((f) => imports(f).some((s) => resolve(dirname(f), s).startsWith(SRC)));
    expect(offenders).toEqual([]);
  });
});
