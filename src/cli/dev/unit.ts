// One function `lambkin dev` keeps up to date: its code folder, and how a change is redeployed —
// the edited files checked by the runtime first, the folder zipped again, and the code updated
// only when the zip changed (UpdateFunctionCode retires the function's warm environments, so the
// next invoke runs the new code); with an alias, a version is published and the alias moved.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LambkinClient } from '../../client/index.js';
import { formatSize } from '../output.js';
import { loadPackage } from '../package.js';
import { syntaxErrors } from './syntax.js';

export interface DevUnit {
  readonly name: string;
  readonly runtime: string;
  /** The code folder (absolute). */
  readonly dir: string;
  /** Serverless package.patterns: which files are in the package. */
  readonly keep?: (rel: string) => boolean;
  readonly alias?: string;
  /** sha256 (hex) of the zip last deployed. */
  lastSha?: string;
  /** Files whose last check failed: checked again with every change until they pass. */
  readonly broken: Set<string>;
}

export function newUnit(init: Omit<DevUnit, 'broken' | 'lastSha'>): DevUnit {
  const unit: DevUnit = { ...init, broken: new Set() };
  try {
    unit.lastSha = sha(loadPackage(unit.dir, unit.keep).zip);
  } catch {
    // Not packable now (empty folder): the first change deploys.
  }
  return unit;
}

function sha(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('hex');
}

export function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** Redeploys `unit` for the changed files (relative to its folder); prints one line. */
export async function redeploy(client: LambkinClient, unit: DevUnit, files: readonly string[], say: (line: string) => void): Promise<void> {
  const inPackage = files.filter((f) => !unit.keep || unit.keep(f));
  if (inPackage.length === 0) return;
  const started = performance.now();
  const toCheck = [...new Set([...unit.broken, ...inPackage])].filter((f) => existsSync(join(unit.dir, f)));
  const errors = await syntaxErrors(unit.runtime, toCheck.map((f) => join(unit.dir, f)));
  if (errors) {
    for (const f of toCheck) unit.broken.add(f);
    say(`${clock()} ${unit.name}: not redeployed, the previous version keeps serving:\n${errors.replace(/^/gm, '  ')}`);
    return;
  }
  const wasBroken = unit.broken.size > 0;
  unit.broken.clear();
  const pkg = loadPackage(unit.dir, unit.keep);
  const digest = sha(pkg.zip);
  if (digest === unit.lastSha) {
    if (wasBroken) say(`${clock()} ${unit.name}: fixed; the code is the version already serving`);
    return;
  }
  await client.updateFunctionCode(unit.name, pkg.zip);
  let moved = '';
  if (unit.alias) {
    const version = (await client.lifecycle.publishVersion(unit.name)).Version;
    await client.lifecycle.updateAlias(unit.name, unit.alias, version);
    moved = `, ${unit.alias} → ${version}`;
  }
  unit.lastSha = digest;
  const shown = inPackage.length > 3 ? `${inPackage.slice(0, 3).join(', ')} and ${inPackage.length - 3} more` : inPackage.join(', ');
  say(`${clock()} redeployed ${unit.name} (${shown}; ${formatSize(pkg.zip.length)}${moved}) in ${Math.round(performance.now() - started)} ms`);
}
