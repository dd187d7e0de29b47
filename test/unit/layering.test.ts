// The folders' dependency rules (STYLE.md), checked on every import in src/ and runtimes/:
// cli → client; api → scheduler, registry, logs; scheduler → environment, registry;
// environment → sandbox, runtimes; nothing imports api or cli; the bootstraps import nothing of src/.
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

// Which areas each area may import (besides itself and the shared top-level files of src/).
const ALLOWED: Record<string, readonly string[]> = {
  // serve.ts starts the server: the one place cli reaches api. doctor-checks.ts asks the sandbox's
  // probes and the runtime catalogue what this machine has: the one place cli reaches those.
  cli: ['client', 'api', 'config', 'sandbox', 'runtimes'],
  client: [],
  api: ['scheduler', 'registry', 'logs', 'runtimes', 'environment', 'sandbox', 'client', 'database'],
  scheduler: ['environment', 'registry', 'logs', 'runtimes', 'sandbox', 'database'],
  environment: ['sandbox', 'runtimes', 'logs', 'registry'],
  sandbox: ['runtimes'],
  runtimes: [],
  registry: ['database'],
  logs: ['registry', 'database'],
  '': ['database'], // config.ts checks --database-url
  database: [], // knows no store: each brings its own schema
  console: [],
};

describe('layering', () => {
  const all = files(SRC, /\.ts$/);

  it('every import in src/ points the allowed way', () => {
    const violations: string[] = [];
    for (const file of all) {
      const from = area(file);
      for (const spec of imports(file)) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC)) {
          violations.push(`${relative(ROOT, file)} imports ${spec}, outside src/`);
          continue;
        }
        const to = area(target);
        if (to === from || to === '') continue;
        const allowed = ALLOWED[from] ?? [];
        if (!allowed.includes(to)) violations.push(`${relative(ROOT, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only cli/serve.ts reaches from cli into api', () => {
    const offenders = all
      .filter((f) => area(f) === 'cli' && !f.endsWith('/serve.ts'))
      .filter((f) => imports(f).some((s) => area(resolve(dirname(f), s)) === 'api'));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('only cli/doctor-checks.ts reaches from cli into sandbox and runtimes', () => {
    const offenders = all
      .filter((f) => area(f) === 'cli' && !f.endsWith('/doctor-checks.ts'))
      .filter((f) => imports(f).some((s) => ['sandbox', 'runtimes'].includes(area(resolve(dirname(f), s)))));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
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
