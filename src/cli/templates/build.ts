// Every package of a plan, built before anything is sent: a folder or zip through the same
// packaging as `lambkin deploy folder` (with the Serverless patterns as a filter), inline code as
// a one-file zip. A missing folder fails here, naming the template line, with nothing changed.
import { zipSync } from 'fflate';
import { UsageError } from '../output.js';
import { loadPackage, type CodePackage } from '../package.js';
import { missingHandlerFile } from '../runtime-guess.js';
import { TemplateError } from './errors.js';
import type { CodeSource, Plan } from './plan.js';

export interface BuiltPackages {
  /** By logical id. */
  readonly functions: ReadonlyMap<string, CodePackage>;
  readonly layers: ReadonlyMap<string, CodePackage>;
  /** Remarks to print (a handler file missing from the package, skipped symlinks). */
  readonly warnings: readonly string[];
}

const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

function build(code: CodeSource, at: string, owner: string): CodePackage {
  if (code.kind === 'inline') {
    const data = new TextEncoder().encode(code.text);
    // 0644 regular file, Unix: as package.ts writes entries.
    const zip = zipSync({ [code.fileName]: [data, { os: 3, attrs: (0o100000 | 0o644) * 0x10000, mtime: FIXED_MTIME }] });
    return { zip, names: [code.fileName], kind: 'file', warnings: [] };
  }
  try {
    return loadPackage(code.path, code.keep);
  } catch (err) {
    if (err instanceof UsageError) throw new TemplateError(`${at}: ${owner}: ${err.message}`);
    throw err;
  }
}

export function buildPackages(plan: Plan): BuiltPackages {
  const functions = new Map<string, CodePackage>();
  const layers = new Map<string, CodePackage>();
  const warnings: string[] = [];
  for (const fn of plan.functions) {
    const pkg = build(fn.code, fn.at, fn.logicalId);
    functions.set(fn.logicalId, pkg);
    for (const w of pkg.warnings) warnings.push(`${fn.logicalId}: ${w}`);
    // Layers may hold the handler's file; only warn when the function uses none.
    const missing = fn.layers.length === 0 ? missingHandlerFile(pkg.names, fn.handler, fn.runtime) : undefined;
    if (missing) warnings.push(`${fn.at}: ${fn.logicalId}: warning: ${missing.replace(/; pass --handler file\.method$/, '')}`);
  }
  for (const layer of plan.layers) layers.set(layer.logicalId, build(layer.code, layer.at, layer.logicalId));
  return { functions, layers, warnings };
}
