// `lambkin ls`: every function (all pages), as a table or as JSON.
import type { Command } from 'commander';
import type { FunctionConfiguration } from '../client/index.js';
import { clientFor } from './context.js';
import { note, out, paint, table } from './output.js';

export function registerLs(program: Command): void {
  program
    .command('ls')
    .alias('list')
    .description('list functions')
    .option('--json', 'print the FunctionConfiguration objects as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const functions: FunctionConfiguration[] = [];
      for await (const f of clientFor(cmd).listAllFunctions()) functions.push(f);
      if (opts.json) return out(JSON.stringify(functions, null, 2));
      if (functions.length === 0) {
        return note('no functions yet — deploy one: npx lambkin deploy examples/hello-node');
      }
      const rows = functions.map((f) => [
        f.FunctionName,
        f.Runtime ?? '',
        `${f.MemorySize} MB`,
        `${f.Timeout} s`,
        localTime(f.LastModified),
      ]);
      process.stdout.write(table(['NAME', 'RUNTIME', 'MEMORY', 'TIMEOUT', 'LAST-MODIFIED'], rows, paint(process.stdout)));
    });
}

/** 2026-11-27T04:39:51.123+0000 → 2026-11-27 05:39:51 (local time, which a person reads fastest). */
function localTime(lastModified: string): string {
  const ms = Date.parse(lastModified.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(ms)) return lastModified;
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}
