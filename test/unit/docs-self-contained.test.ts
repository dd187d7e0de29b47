// The repository stands on its own: nothing points at documents outside it (a shared design or
// spec that a clone does not have), and every relative link in README.md and docs/ names a file
// that exists.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', '.git', '.lambkin', 'test-output']);

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

describe('documentation', () => {
  const sources = ['src', 'test', 'console/src', 'bench', 'scripts', 'docs', 'runtimes']
    .flatMap((d) => files(join(ROOT, d), /\.(ts|js|mjs|md|py|rb|java|sh)$/))
    .concat(join(ROOT, 'README.md'));

  it('no file refers to documents outside the repository', () => {
    const outside = /SPEC-LAMBDA|shared\/DESIGN|shared DESIGN|\.\.\/shared\//;
    const found = sources.filter((f) => f !== import.meta.filename && outside.test(readFileSync(f, 'utf8')));
    expect(found.map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });

  it('every relative link in README.md and docs/ names an existing file', () => {
    const broken: string[] = [];
    for (const file of [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), /\.md$/)]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (!target || /^[a-z]+:/.test(target)) continue; // same page or an absolute URL
        if (!existsSync(resolve(dirname(file), target))) broken.push(`${file.slice(ROOT.length + 1)} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
