// Layers merged for /opt (src/sandbox/opt-merge.ts): in order, a later layer's entry replacing an
// earlier one's whatever their kinds, never writing through an earlier layer's symlink, and one
// merge per ordered list.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergedOpt } from '../../src/sandbox/opt-merge.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | { link: string } | { dir: true }>): string {
  const root = mkdtempSync(join(tmpdir(), 'lambkin-layer-'));
  dirs.push(root);
  for (const [path, what] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    if (typeof what === 'string') writeFileSync(full, what);
    else if ('link' in what) symlinkSync(what.link, full);
    else mkdirSync(full, { recursive: true });
  }
  return root;
}

describe('mergedOpt', () => {
  it.each([true, false])('merges in order, later entries replacing earlier ones of any kind (links: %s)', async (link) => {
    const outside = tree({ 'secret.txt': 'host file' });
    const a = tree({
      'nodejs/node_modules/x/index.js': 'A', 'bin/tool': 'A tool', 'was-dir/inner.txt': 'A', 'was-file': 'A',
      'escape': { link: outside }, 'only-a.txt': 'A',
    });
    const b = tree({
      'nodejs/node_modules/x/index.js': 'B', 'was-dir': 'B file', 'was-file/inner.txt': 'B', 'escape/secret.txt': 'B',
      'nodejs/node_modules/y/index.js': 'B',
    });
    const cache = tree({});
    const merged = await mergedOpt(cache, [a, b], link);
    const read = (p: string) => readFileSync(join(merged, p), 'utf8');
    expect(read('nodejs/node_modules/x/index.js')).toBe('B');
    expect(read('nodejs/node_modules/y/index.js')).toBe('B');
    expect(read('bin/tool')).toBe('A tool');
    expect(read('only-a.txt')).toBe('A');
    expect(read('was-dir')).toBe('B file');
    expect(read('was-file/inner.txt')).toBe('B');
    // B's folder replaced A's symlink: nothing was written through it to the host.
    expect(lstatSync(join(merged, 'escape')).isDirectory()).toBe(true);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host file');
    // The layers themselves are untouched.
    expect(readFileSync(join(a, 'nodejs/node_modules/x/index.js'), 'utf8')).toBe('A');
    expect(readlinkSync(join(a, 'escape'))).toBe(outside);
  });

  it('one merge per ordered list: the same list answers the same folder, another order another', async () => {
    const a = tree({ 'f.txt': 'A' });
    const b = tree({ 'f.txt': 'B' });
    const cache = tree({});
    const [one, two] = await Promise.all([mergedOpt(cache, [a, b], true), mergedOpt(cache, [a, b], true)]);
    expect(one).toBe(two);
    const reversed = await mergedOpt(cache, [b, a], true);
    expect(reversed).not.toBe(one);
    expect(readFileSync(join(reversed, 'f.txt'), 'utf8')).toBe('A');
    expect(existsSync(one)).toBe(true);
  });
});
