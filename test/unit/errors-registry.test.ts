// The error registry, the code and docs/errors.md agree: every error the code can produce is in
// the registry, and every registry entry is documented.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, FUNCTION_ERRORS } from '../../src/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');
const docs = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|py|rb|java|sh|go)$/.test(n) ? [p] : [];
  });
}

describe('error registry', () => {
  it('documents every API error and function error in docs/errors.md', () => {
    const missing = [...Object.keys(API_ERRORS), ...Object.keys(FUNCTION_ERRORS)].filter((k) => !docs.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });

  it('every platform function error type used in the code is in the registry', () => {
    const used = new Set<string>();
    for (const f of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'runtimes'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/['"`]((?:Runtime|Sandbox|Function)\.[A-Z][A-Za-z]+)['"`]/g)) used.add(m[1]!);
    }
    const unknown = [...used].filter((t) => !(t in FUNCTION_ERRORS));
    expect(unknown).toEqual([]);
    expect(used.size).toBeGreaterThan(5);
  });

  it('every apiError name used in the code is in the registry', () => {
    const unknown: string[] = [];
    for (const f of files(join(ROOT, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/apiError\(\s*'([A-Za-z]+)'/g)) if (!(m[1]! in API_ERRORS)) unknown.push(`${f}: ${m[1]}`);
    }
    expect(unknown).toEqual([]);
  });
});
