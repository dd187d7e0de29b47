// A pre-started sandbox's code (src/sandbox/namespace/code-links.ts): the function's code folder
// shown in the sandbox's empty /var/task as hard links — every file, folder (with its mode) and
// symlink, however large the package (the links are made in slices between turns of the event loop).
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linkTree } from '../../src/sandbox/namespace/code-links.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lambkin-links-'));
  dirs.push(d);
  return d;
};

describe('linkTree', () => {
  it('shows every file, folder and symlink of the code, files as hard links of the originals', async () => {
    const code = temp();
    writeFileSync(join(code, 'index.mjs'), 'export const handler = 1;\n');
    mkdirSync(join(code, 'lib/deep'), { recursive: true });
    writeFileSync(join(code, 'lib/deep/a.js'), 'a');
    chmodSync(join(code, 'lib'), 0o750);
    symlinkSync('lib/deep/a.js', join(code, 'alias.js'));
    const task = temp();
    await linkTree(code, task);
    expect(readFileSync(join(task, 'index.mjs'), 'utf8')).toBe('export const handler = 1;\n');
    expect(statSync(join(task, 'index.mjs')).ino).toBe(statSync(join(code, 'index.mjs')).ino);
    expect(readFileSync(join(task, 'lib/deep/a.js'), 'utf8')).toBe('a');
    expect(lstatSync(join(task, 'lib')).mode & 0o777).toBe(0o750);
    expect(readlinkSync(join(task, 'alias.js'))).toBe('lib/deep/a.js');
  });

  it('links a package of thousands of files completely, and the server keeps serving meanwhile', async () => {
    const code = temp();
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(code, `node_modules/p${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(code, `node_modules/p${d}/f${f}.js`), `${d}/${f}`);
    }
    const task = temp();
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await linkTree(code, task);
    clearInterval(ticker);
    const count = readdirSync(join(task, 'node_modules')).reduce((n, d) => n + readdirSync(join(task, 'node_modules', d)).length, 0);
    expect(count).toBe(2000);
    expect(readFileSync(join(task, 'node_modules/p19/f99.js'), 'utf8')).toBe('19/99');
    // 2,020 calls in slices of 256: the event loop turned between them.
    expect(turns).toBeGreaterThan(0);
  });

  it('fails on a file it cannot link or copy, as before (the pool then starts the sandbox anew)', async () => {
    const code = temp();
    writeFileSync(join(code, 'a.js'), 'a');
    const task = temp();
    writeFileSync(join(task, 'a.js'), 'already there');
    await expect(linkTree(code, task)).rejects.toThrow(/EEXIST/);
  });
});
