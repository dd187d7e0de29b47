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

  it('imports nothing from src/ but the wire types (only its own files, bundled packages and `import type` of src/wire.ts)', () => {
    const offenders = all.filter((f) => {
      // The one allowed reach into src/: `import type`/`export type` of src/wire.ts, erased at build.
      const text = readFileSync(f, 'utf8').replace(/(?:import|export) type \{[^}]*\} from '(?:\.\.\/)+src\/wire\.js';/g, '');
      return /from\s+['"](\.\.\/)+(\.\.\/)?src\//.test(text) || /['"][^'"]*\/src\/[a-z-]+(\/|\.js['"])/.test(text);
    });
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('the wire types it may import are types only: src/wire.ts imports nothing and holds no code', () => {
    const text = readFileSync(join(ROOT, 'src/wire.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const statements = text.split('\n').filter((l) => /^(?:import|export|const|let|var|function|class|enum)\b/.test(l));
    expect(statements.filter((l) => !/^export (?:type|interface) /.test(l))).toEqual([]);
  });

  it('loads nothing from another origin', () => {
    const offenders = all.filter((f) => /\b(?:src|href)=["']https?:|import\s+['"]https?:|@import\s+url\(["']?https?:/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
