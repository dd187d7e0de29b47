// The catalogue as people read it (`lambkin runtimes`, GET /lambkin/v1/runtimes): each runtime with
// its ids, whether this server can run it, what to install if not, and the interpreter's version.
// Versions are asked of the interpreters once per server (a few ms each, off the invoke path).
import { execFileSync } from 'node:child_process';
import { RUNTIMES, type RuntimeSpec } from './catalogue.js';
import { onPath } from './binaries.js';
import type { RuntimeView } from '../wire.js';

// The description is GET /lambkin/v1/runtimes's JSON too: one definition, in wire.ts.
export type RuntimeDescription = RuntimeView;
export type RuntimeStatus = RuntimeView['status'];

const versions = new Map<string, string | undefined>();

function ask(family: string, command: string | undefined, args: string[], pick: (out: string) => string | undefined): string | undefined {
  if (versions.has(family)) return versions.get(family);
  let version: string | undefined;
  if (command) {
    try {
      // java -version writes to stderr.
      const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
      version = pick(out);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr;
      version = stderr ? pick(stderr) : undefined;
    }
  }
  versions.set(family, version);
  return version;
}

function javaVersion(): string | undefined {
  const java = onPath('java');
  // `java -version` prints to stderr.
  return ask('java', java ? '/bin/sh' : undefined, ['-c', `"${java}" -version 2>&1`], (o) => {
    const m = /^(\S+) version "([^"]+)"/m.exec(o);
    return m ? `${m[1]} ${m[2]}` : undefined;
  });
}

function versionOf(spec: RuntimeSpec): string | undefined {
  switch (spec.family) {
    case 'nodejs': return `node ${process.versions.node}`;
    case 'python': return ask('python', spec.missing() ? undefined : spec.launch({ taskRoot: '', runtimeDir: '' }).command, ['--version'], (o) => o.trim().toLowerCase() || undefined);
    case 'ruby': return ask('ruby', onPath('ruby'), ['-e', 'print RUBY_VERSION'], (o) => (o.trim() ? `ruby ${o.trim()}` : undefined));
    case 'java': return javaVersion();
    default: return undefined;
  }
}

export function describeRuntimes(): RuntimeDescription[] {
  return RUNTIMES.map((spec) => {
    const hint = spec.missing();
    const status: RuntimeStatus = spec.unavailable ? 'unavailable' : hint ? 'missing' : 'installed';
    const version = status === 'installed' ? versionOf(spec) : undefined;
    return {
      name: spec.name, family: spec.family, ids: [...spec.ids], status,
      ...(hint ? { hint } : {}), ...(version ? { version } : {}),
    };
  });
}
