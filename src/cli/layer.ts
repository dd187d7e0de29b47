// `lambkin layer publish <folder|zip> --name N [--runtime R …]` and `lambkin layer ls`.
// A layer's folder is zipped as it is: its top-level folders are what appears under /opt
// (nodejs/node_modules/…, python/…, bin/…, lib/…).
import type { Command } from 'commander';
import { clientFor } from './context.js';
import { formatSize, note, out, paint, table } from './output.js';
import { loadPackage } from './package.js';

interface PublishOptions {
  name: string;
  runtime?: string[];
  description?: string;
  license?: string;
  json?: boolean;
}

export function registerLayer(program: Command): void {
  const layer = program.command('layer').description('publish and list layers (code merged at /opt for the functions that use them)');
  layer
    .command('publish')
    .description('publish a folder or .zip as a new version of a layer')
    .argument('<path>', 'folder or .zip file (its top-level folders appear under /opt)')
    .requiredOption('-n, --name <name>', 'layer name')
    .option('-r, --runtime <id>', 'a compatible runtime, repeatable (shown by list-layers; not enforced)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--description <text>', 'description')
    .option('--license <text>', 'licence information (LicenseInfo)')
    .option('--json', 'print the PublishLayerVersion answer as JSON')
    .action(async (path: string, opts: PublishOptions, cmd: Command) => {
      const pkg = loadPackage(path);
      for (const w of pkg.warnings) note(`lambkin: ${w}`);
      const published = await clientFor(cmd).layers.publish({
        LayerName: opts.name, ZipFile: pkg.zip, CompatibleRuntimes: opts.runtime, Description: opts.description, LicenseInfo: opts.license,
      });
      if (opts.json) return out(JSON.stringify(published, null, 2));
      out(`published ${published.LayerVersionArn} (${formatSize(published.Content.CodeSize)}) — use it: npx lambkin deploy <path> --layer ${published.LayerVersionArn}`);
    });
  layer
    .command('ls')
    .alias('list')
    .description('list layers with their latest version, or one layer\'s versions')
    .argument('[name]', 'a layer: list its versions')
    .option('--json', 'print the answer as JSON')
    .action(async (name: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      const versions = name ? await client.layers.versions(name) : (await client.layers.list()).flatMap((l) => (l.LatestMatchingVersion ? [l.LatestMatchingVersion] : []));
      if (opts.json) return out(JSON.stringify(versions, null, 2));
      if (versions.length === 0) return note(name ? `layer ${name} has no versions` : 'no layers yet — publish one: npx lambkin layer publish <folder> --name <name>');
      const rows = versions.map((v) => [v.LayerVersionArn, (v.CompatibleRuntimes ?? []).join(',') || '-', v.Description ?? '', v.CreatedDate ?? '']);
      process.stdout.write(table(['ARN', 'RUNTIMES', 'DESCRIPTION', 'CREATED'], rows, paint(process.stdout)));
    });
}
