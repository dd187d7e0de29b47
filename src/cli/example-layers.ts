// The examples' layers (npm start): each folder of examples/layers/ is published as a layer of
// its name, unless its latest version already holds the same zip (the same folder zips to the
// same bytes), so that restarting does not add a version each time. An example function names
// the layers it uses, one per line, in a `.layers` file of its folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { LambkinClient } from '../client/index.js';
import { loadPackage } from './package.js';

/** Layer name → the version ARN to use. */
export async function publishExampleLayers(client: LambkinClient, dir: string): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  if (!existsSync(dir)) return arns;
  for (const entry of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const zip = loadPackage(join(dir, entry.name)).zip;
    const sha = createHash('sha256').update(zip).digest('base64');
    const latest = (await client.layers.versions(entry.name))[0];
    const same = latest && (await client.layers.get(entry.name, latest.Version)).Content.CodeSha256 === sha;
    arns.set(entry.name, same ? latest.LayerVersionArn : (await client.layers.publish({
      LayerName: entry.name, ZipFile: zip, Description: `lambkin example layer ${entry.name}`,
    })).LayerVersionArn);
  }
  return arns;
}

/** The layer ARNs an example function's `.layers` file names; undefined when it has none. */
export function exampleLayers(folder: string, arns: ReadonlyMap<string, string>): string[] | undefined {
  const file = join(folder, '.layers');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).map((name) => {
    const arn = arns.get(name);
    if (!arn) throw new Error(`${file} names layer ${name}, which is not in examples/layers/`);
    return arn;
  });
}
