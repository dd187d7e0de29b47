// npm pack: the package carries an npm-shrinkwrap.json — the run-time part of package-lock.json —
// so that `npm install -g lambkin-<version>.tgz` installs exactly the dependency tree lambkin was
// tested with (npm's advice for command-line tools and daemons), not whatever is newest that day.
// prepack writes it; postpack (`--remove`) deletes it, because in the repository npm would prefer
// it to package-lock.json. It is gitignored, so a pack that failed half-way leaves nothing to commit:
// delete a stray one by hand (or run `npm pack` again).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}npm-shrinkwrap.json`;

if (process.argv.includes('--remove')) {
  rmSync(OUT, { force: true });
} else {
  const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8'));
  const packages = {};
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') {
      const { devDependencies: _, ...root } = entry;
      packages[path] = root;
    } else if (!entry.dev) {
      packages[path] = entry;
    }
  }
  writeFileSync(OUT, `${JSON.stringify({ ...lock, packages }, null, 2)}\n`);
}
