// Turns what `deploy` is given — a folder, a .zip, or one source file — into zip bytes plus the
// list of names in it. Folders are zipped in memory, deterministically (sorted entries, fixed
// timestamps: the same folder gives the same sha256), keeping Unix modes: an executable
// `bootstrap` must stay executable. Symlinks are followed only when they stay inside the folder.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { unzipSync, zipSync, type ZipOptions } from 'fflate';
import { UsageError } from './output.js';

export interface CodePackage {
  readonly zip: Uint8Array;
  /** File names in the package, '/'-separated, relative to its root. */
  readonly names: readonly string[];
  readonly kind: 'folder' | 'zip' | 'file';
  /** Things a person should know (skipped symlinks). */
  readonly warnings: readonly string[];
}

/** Local time (fflate writes DOS local time); the earliest a zip can hold. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const UNIX = 3;

/**
 * `keep` (folders only) decides which files go in, by their '/'-separated path in the folder
 * (Serverless `package.patterns`, `lambkin dev`'s ignore list); folders are always walked.
 */
export function loadPackage(path: string, keep?: (rel: string) => boolean): CodePackage {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${path}: no such file or folder`);
  }
  if (st.isDirectory()) return zipFolder(path, keep);
  const data = readFileSync(path);
  if (isZip(data)) return { zip: data, names: zipNames(path, data), kind: 'zip', warnings: [] };
  if (path.toLowerCase().endsWith('.zip')) throw new UsageError(`${path} is not a zip file`);
  const names = [basename(path)];
  return { zip: zipSync({ [names[0]!]: [data, entryOptions(st)] }), names, kind: 'file', warnings: [] };
}

function isZip(data: Uint8Array): boolean {
  // Local file header, or the end record of an empty archive.
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && (data[2] === 3 || data[2] === 5);
}

function zipNames(path: string, data: Uint8Array): string[] {
  const names: string[] = [];
  try {
    unzipSync(data, { filter: (f) => { names.push(f.name); return false; } }); // list only, inflate nothing
  } catch (err) {
    throw new UsageError(`${path} is not a valid zip file (${err instanceof Error ? err.message : String(err)})`);
  }
  return names.filter((n) => !n.endsWith('/'));
}

function entryOptions(st: Stats): ZipOptions {
  // External attributes of a Unix zip entry: the st_mode (regular file) in the high 16 bits.
  return { os: UNIX, attrs: (0o100000 | (st.mode & 0o777)) * 0x10000, mtime: FIXED_MTIME };
}

function skipped(parentRel: string, name: string): boolean {
  if (name === '.git' || name === '__pycache__') return true;
  return name === '.cache' && basename(parentRel) === 'node_modules';
}

function zipFolder(dir: string, keep?: (rel: string) => boolean): CodePackage {
  const root = realpathSync(dir);
  const entries: Record<string, [Uint8Array, ZipOptions]> = {};
  const warnings: string[] = [];
  const inside = (p: string) => p === root || p.startsWith(root + sep);

  const walk = (real: string, rel: string, ancestors: ReadonlySet<string>): void => {
    const children = readdirSync(real).sort();
    for (const name of children) {
      if (skipped(rel, name)) continue;
      const relPath = rel ? `${rel}/${name}` : name;
      let full = join(real, name);
      let st = lstatSync(full);
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(full);
        } catch {
          warnings.push(`skipped ${relPath}: broken symlink`);
          continue;
        }
        if (!inside(target)) {
          warnings.push(`skipped ${relPath}: symlink to outside the folder`);
          continue;
        }
        full = target;
        st = statSync(target);
      }
      if (st.isDirectory()) {
        if (ancestors.has(full)) continue; // a symlink loop back up the tree
        walk(full, relPath, new Set([...ancestors, full]));
      } else if (st.isFile() && (!keep || keep(relPath))) {
        entries[relPath] = [readFileSync(full), entryOptions(st)];
      }
    }
  };
  walk(root, '', new Set([root]));

  const names = Object.keys(entries);
  if (names.length === 0) throw new UsageError(`${dir} has no files to deploy`);
  return { zip: zipSync(entries), names, kind: 'folder', warnings };
}
