// `lambkin init-credentials`: create the server's credentials (<data dir>/credentials.json, 0600).
// From its next start the server accepts only requests signed with them (SigV4), and may listen on
// a non-loopback address. The lambkin CLI finds the file in the same data folder by itself.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeCredentialsFile } from '../credentials.js';
import { ConfigError } from '../errors.js';
import { SETTINGS } from '../settings.js';
import { out, UsageError } from './output.js';

export function registerInitCredentials(program: Command): void {
  program
    .command('init-credentials')
    .description('create credentials: the server then requires every API request to be signed with them')
    .option('--data-dir <dir>', 'the server\'s data folder (env LAMBKIN_DATA_DIR, default ./.lambkin)')
    .option('--force', 'replace existing credentials (clients using the old ones are refused)')
    .action((opts: { dataDir?: string; force?: boolean }) => {
      const dataDir = resolve(opts.dataDir ?? (process.env[SETTINGS.dataDir.env] || SETTINGS.dataDir.default));
      let created;
      try {
        created = writeCredentialsFile(dataDir, opts.force);
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(err.message);
        throw err;
      }
      out([
        `created ${created.file} (readable by you only)`,
        `  access key id:     ${created.accessKeyId}`,
        `  secret access key: ${created.secretAccessKey}`,
        '',
        'Restart `lambkin serve` to require them. The lambkin CLI reads this file (same --data-dir / LAMBKIN_DATA_DIR);',
        'the AWS SDK and CLI sign with them as usual:',
        `  export AWS_ACCESS_KEY_ID=${created.accessKeyId} AWS_SECRET_ACCESS_KEY=${created.secretAccessKey} AWS_REGION=us-east-1`,
      ].join('\n'));
    });
}
