// The Java runtime's class data sharing archive (src/runtimes/java-cds.ts): dumped once per JDK
// beside the jar, named after the JVM and the class list, put on the JVM's command line only once
// it exists, and never a reason for a launch to fail.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveName, ensureArchive } from '../../src/runtimes/java-cds.js';
import { onPath } from '../../src/runtimes/binaries.js';

const ROOT = resolve(import.meta.dirname, '../..');
const java = onPath('java');
const dirs: string[] = [];
const javaDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'lambkin-cds-'));
  dirs.push(dir);
  copyFileSync(join(ROOT, 'runtimes/java/classlist'), join(dir, 'classlist'));
  return dir;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!java)('Java class data sharing archive', () => {
  it('is dumped once into build/, named after the JVM and the class list', () => {
    const dir = javaDir();
    const name = ensureArchive(dir, java!, true);
    expect(name).toMatch(/^build\/jdk-[0-9a-f]{16}\.jsa$/);
    expect(existsSync(join(dir, name!))).toBe(true);
    expect(ensureArchive(dir, java!)).toBe(name);
    // Another class list is another archive.
    writeFileSync(join(dir, 'classlist'), 'java/lang/Object\n');
    expect(archiveName(dir, java!)).not.toBe(name);
  }, 120_000);

  it('is left out, without an error, where it cannot be written', () => {
    const dir = javaDir();
    // build/ is a file: no archive can go there (root or not).
    writeFileSync(join(dir, 'build'), '');
    expect(ensureArchive(dir, java!, true)).toBeUndefined();
    expect(ensureArchive(dir, java!)).toBeUndefined();
  });

  it('has no name for a java that is not a JDK layout', () => {
    expect(archiveName(javaDir(), '/bin/sh')).toBeUndefined();
  });
});
