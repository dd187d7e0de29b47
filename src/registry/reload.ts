// What a reload of the registry from its store changes (a cluster node learning of another's
// write, docs/cluster.md "Changes"): the code hashes it needs on this machine before the new
// records may be used, and the function versions whose environments now run superseded code.
import type { RegistryContents } from './store.js';
import type { FunctionRecord } from './types.js';

/** Every code hash the contents use: functions', versions' and layer versions', layers included. */
export function contentShas(contents: RegistryContents): Set<string> {
  const shas = new Set<string>();
  for (const f of [...contents.functions, ...contents.versions]) {
    shas.add(f.codeSha256);
    for (const l of f.config.layers ?? []) shas.add(l.codeSha256);
  }
  for (const l of contents.layerVersions) shas.add(l.codeSha256);
  return shas;
}

/** A function version ($LATEST or a number) that changed or went; `version` undefined: the whole function went. */
export interface Superseded {
  readonly name: string;
  readonly version?: string;
}

/**
 * Compare what was held with what was loaded: a deleted function, a $LATEST of another revision,
 * a deleted version. (A version is immutable: one still there is the same.)
 */
export function superseded(
  before: ReadonlyMap<string, FunctionRecord>, versionsBefore: (name: string) => readonly FunctionRecord[], after: RegistryContents,
): Superseded[] {
  const latest = new Map(after.functions.map((f) => [f.name, f]));
  const versions = new Set(after.versions.map((v) => `${v.name}\0${v.version}`));
  const out: Superseded[] = [];
  for (const [name, record] of before) {
    const now = latest.get(name);
    if (!now) {
      out.push({ name });
      continue;
    }
    if (now.revisionId !== record.revisionId) out.push({ name, version: '$LATEST' });
    for (const v of versionsBefore(name)) if (!versions.has(`${name}\0${v.version}`)) out.push({ name, version: v.version });
  }
  return out;
}
