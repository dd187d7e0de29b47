// The web console is its own trust boundary (browser code): it reaches the server over HTTP only,
// never by importing host code from src/, and it loads nothing from elsewhere (no CDN).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CONSOLE = join(ROOT, 'console');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|css|html)$/.test(name) ? [path] : [];
  });
}

describe('console layering', () => {
  const all = files(join(CONSOLE, 'src')).concat(join(CONSOLE, 'index.html'));

  it('imports nothing from src/ (only its own files and bundled packages)', () => {
    const offenders = all.filter((f) => /from\s+['"](\.\.\/)+(\.\.\/)?src\//.test(readFileSync(f, 'utf8')) || /['"][^'"]*\/src\/(api|logs|registry|scheduler|client)\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('loads nothing from another origin', () => {
    const offenders = all.filter((f) => /\b(?:src|href)=["']https?:|import\s+['"]https?:|@import\s+url\(["']?https?:/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
