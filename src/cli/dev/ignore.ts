// Which changed files `lambkin dev` does not react to: lambkin's own list (version control, caches,
// bytecode, a server's data folder started in the same place, editors' swap and backup files) plus
// the watched folder's `.lambkinignore`, read with the `ignore` package (gitignore's syntax: globs,
// `dir/`, `!` to take a file back). It decides what is watched, not what is packaged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';

const DEFAULTS = [
  '.git/', '.hg/', '.svn/', '.lambkin/', 'node_modules/.cache/', '__pycache__/', '*.pyc', '.pytest_cache/', '.serverless/', '.aws-sam/',
  // vim (swap files and its 4913 write test), emacs (#file#, .#file lock links), backups (file~), macOS
  '*.swp', '*.swo', '*.swx', '4913', '*~', '\\#*#', '.#*', '.DS_Store',
];

export const IGNORE_FILE = '.lambkinignore';

/** A test of a '/'-separated path relative to `dir`: true when a change there is to be ignored. */
export function ignoredIn(dir: string): (rel: string) => boolean {
  const ig = ignore().add(DEFAULTS);
  try {
    ig.add(readFileSync(join(dir, IGNORE_FILE), 'utf8'));
  } catch {
    // No .lambkinignore: the defaults only.
  }
  // fs.watch names a folder without a trailing slash (`.git` when it is made): try it as one too.
  return (rel) => rel !== '' && !rel.startsWith('..') && (ig.ignores(rel) || ig.ignores(`${rel}/`));
}
