// A node's name on a shared database (src/node-name.ts): made once per data folder, the same at
// every later start, different for another data folder, and made again if the file is damaged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { nodeName } from '../../src/node-name.js';

const dirs = [mkdtempSync(join(tmpdir(), 'lambkin-node-')), mkdtempSync(join(tmpdir(), 'lambkin-node-'))];
afterAll(() => dirs.forEach((d) => { rmSync(d, { recursive: true, force: true }); }));

it('is kept in the data folder: the same at every start, another for another folder', () => {
  const [a, b] = dirs as [string, string];
  const name = nodeName(a);
  expect(name).toMatch(/^[A-Za-z0-9.-]+:[0-9a-f]{12}$/);
  expect(nodeName(a)).toBe(name);
  expect(readFileSync(join(a, 'node-id'), 'utf8').trim()).toBe(name);
  expect(nodeName(b)).not.toBe(name);
});

it('replaces a damaged file with a new name, then keeps that one', () => {
  const [a] = dirs as [string];
  writeFileSync(join(a, 'node-id'), 'not a name\u0000\n');
  const name = nodeName(a);
  expect(name).toMatch(/^[A-Za-z0-9.-]+:[0-9a-f]{12}$/);
  expect(nodeName(a)).toBe(name);
});
