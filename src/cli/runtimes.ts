// `lambkin runtimes`: every runtime the server knows, with installed / missing / unavailable and
// what to install. It asks the server (GET /lambkin/v1/runtimes) rather than this machine: the
// server is the one that runs functions, possibly elsewhere and with another PATH. With no server
// running, it says how to start one.
import type { Command } from 'commander';
import { LambkinConnectionError, type RuntimeView } from '../client/index.js';
import { clientFor } from './context.js';
import { out, paint, table, UsageError } from './output.js';

export function registerRuntimes(program: Command): void {
  program
    .command('runtimes')
    .description('list the runtimes the server can run, and what to install for the others')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      let runtimes: readonly RuntimeView[];
      try {
        runtimes = await clientFor(cmd).listRuntimes();
      } catch (err) {
        if (err instanceof LambkinConnectionError) {
          throw new UsageError(`${err.message}\n(the runtimes are the server's: start it with \`npx lambkin serve\`, then ask again)`);
        }
        throw err;
      }
      if (opts.json) return out(JSON.stringify(runtimes, null, 2));
      const p = paint(process.stdout);
      const rows = runtimes.map((r) => [r.name, r.ids.join(' '), r.status, r.version ?? '']);
      process.stdout.write(table(['RUNTIME', 'IDS', 'STATUS', 'RUNS ON'], rows, p));
      const notes = runtimes.filter((r) => r.hint);
      if (notes.length) out('\n' + notes.map((r) => `${r.name} (${r.status}): ${r.hint}`).join('\n'));
    });
}
