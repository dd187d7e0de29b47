// `lambkin serve --deploy-examples` (npm start): deploy every folder under examples/ to the server
// just started, each named after its folder, so that a first-time user can invoke one at once.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { LambkinApiError, LambkinClient } from '../client/index.js';
import { deployPath } from './deploy.js';
import { exampleLayers, publishExampleLayers } from './example-layers.js';
import { note, out } from './output.js';

/** examples/ at the package root (src/cli and dist/cli both sit two levels below it). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Deploys each example; a failing one is reported and skipped, never stops the server. */
export async function deployExamples(endpoint: string, dir: string = EXAMPLES_DIR): Promise<void> {
  let folders: string[];
  try {
    folders = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
      // A folder with no file of its own is a group of examples that need a build step
      // (examples/custom/): not a package.
      .filter((name) => readdirSync(join(dir, name), { withFileTypes: true }).some((d) => d.isFile())).sort();
  } catch {
    note(`lambkin: no examples to deploy (${dir} not found)`);
    return;
  }
  const client = new LambkinClient({ endpoint });
  // examples/layers/ has no file of its own: it is not a function, its folders are layers.
  let layers = new Map<string, string>();
  try {
    layers = await publishExampleLayers(client, join(dir, 'layers'));
  } catch (err) {
    note(`lambkin: example layers not published: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const name of folders) {
    try {
      out(await deployPath(client, join(dir, name), { name, layer: exampleLayers(join(dir, name), layers) }, () => {}));
    } catch (err) {
      const why = err instanceof LambkinApiError ? `${err.name}: ${err.message}` : String(err instanceof Error ? err.message : err);
      note(`lambkin: example ${name} not deployed: ${why}`);
    }
  }
}
