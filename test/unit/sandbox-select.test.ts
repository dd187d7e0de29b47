// Choosing a sandbox, and the runtime-level cap used when no cgroup enforces the memory limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { chooseSandbox } from '../../src/sandbox/select.js';
import { findRuntime } from '../../src/runtimes/catalogue.js';

const runDir = mkdtempSync(join(tmpdir(), 'lambkin-select-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('sandbox selection', () => {
  it('defaults to namespace with an isolated network where bubblewrap, socat and slirp4netns work (as here and in CI)', async () => {
    const warnings: string[] = [];
    const choice = chooseSandbox({ runDir }, (l) => warnings.push(l));
    expect(choice.backend.name).toBe('namespace');
    expect(choice.network).toBe('isolated');
    expect(choice.summary).toMatch(/^sandbox namespace \(network isolated, cgroups v[12] at /);
    expect(warnings).toEqual([]);
    await choice.close();
  });

  it('honours --sandbox process, and refuses a network mode it cannot give', async () => {
    const choice = chooseSandbox({ runDir, sandbox: 'process' }, () => undefined);
    expect(choice.backend.name).toBe('process');
    await choice.close();
    expect(() => chooseSandbox({ runDir, sandbox: 'process', network: 'isolated' }, () => undefined)).toThrow(ConfigError);
  });
});

describe('memory without cgroups', () => {
  it('Node.js caps its own heap (--max-old-space-size, 90 % of MemorySize) only when asked to', () => {
    const node = findRuntime('nodejs20.x')!;
    expect(node.launch({ taskRoot: '/var/task', runtimeDir: '/var/runtime', heapCapMb: 256 }).args).toContain('--max-old-space-size=230');
    const args = node.launch({ taskRoot: '/var/task', runtimeDir: '/var/runtime' }).args;
    expect(args.some((a) => a.startsWith('--max-old-space-size'))).toBe(false);
    expect(args).toContain('/var/runtime/nodejs/bootstrap.js');
  });
});
