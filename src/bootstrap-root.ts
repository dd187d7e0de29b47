// Where the bootstraps are: the package's runtimes/ folder, beside src/ (and dist/). A fact of the
// package's layout, not of any runtime: the catalogue starts bootstraps from it and every sandbox
// backend shows it inside (LAMBDA_RUNTIME_DIR), so it lives here, where both may import it.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** runtimes/ at the package root: the bootstraps that run inside an environment. */
export const BOOTSTRAP_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../runtimes');
