// `lambkin rm <name>`: delete a function.
import type { Command } from 'commander';
import { clientFor } from './context.js';
import { out } from './output.js';

export function registerRm(program: Command): void {
  program
    .command('rm')
    .alias('delete')
    .description('delete a function')
    .argument('<name>', 'function name')
    .action(async (name: string, _opts: object, cmd: Command) => {
      await clientFor(cmd).deleteFunction(name);
      out(`deleted ${name}`);
    });
}
