// npm run build: bundle the compiled CLI (dist/cli, dist/client and commander) into one CommonJS
// file, dist/cli/lambkin.cjs, that bin/lambkin.js runs. Why: a CLI process spends most of its life
// starting up, and on Node 20 one CommonJS file starts ~50 ms sooner (CPU, measured on the 2-core
// dev machine) than the ~20 ES modules it is made of: no ESM loader to set up, no files to resolve
// one by one. Commands still load lazily inside it (program.ts). The server and its config stay
// outside, imported from dist/ at run time by `serve`; other packages stay in node_modules. Without
// esbuild (a devDependency, so present after npm ci) this is skipped and bin/lambkin.js runs
// dist/cli/index.js instead.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/cli/lambkin.cjs`;
rmSync(outfile, { force: true }); // never leave a bundle older than the code it was made from

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('lambkin: esbuild not found, the CLI is not bundled (it works, starting a little slower)');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [`${root}dist/cli/index.js`],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  // Loaded at run time from where they are (see above and serve.ts).
  // doctor's checks (cli/doctor-checks.ts) load the sandbox's and the catalogue's own modules;
  // yaml (deploy --template) and ignore (dev) are left out: other commands do not parse them at start.
  external: ['../api/server.js', '../config.js', '../sandbox/*', '../runtimes/*', 'better-sqlite3', 'fflate', 'yauzl', 'zod', 'yaml', 'ignore', '@smithy/*'],
  // import.meta.url of a file in dist/cli/ (package.json and examples/ are found relative to it).
  banner: { js: "const __lambkinImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__lambkinImportMetaUrl' },
  logLevel: 'warning',
});
