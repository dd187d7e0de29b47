// `lambkin dlq <function>`: the function's dead letters — Event invocations that failed for good
// (retries exhausted, or too old) with no on-failure function to go to.
// `lambkin dlq redrive <function>`: put them back in the async queue, to run again.
import type { Command } from 'commander';
import type { DeadLetterView } from '../client/index.js';
import { clientFor } from './context.js';
import { out, paint, table } from './output.js';

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('list a function\'s dead letters (failed Event invocations); `dlq redrive <function>` re-queues them')
    .argument('<function>', 'function name')
    .option('--json', 'print them as JSON, with their payloads')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const letters = await clientFor(cmd).asyncQueue.deadLetters(name);
      if (opts.json) return out(JSON.stringify(letters, null, 2));
      if (letters.length === 0) return out(`no dead letters for ${name}`);
      out(table(['REQUEST ID', 'FAILED', 'CONDITION', 'ATTEMPTS', 'ERROR'], letters.map(row), paint(process.stdout)));
    });
  dlq
    .command('redrive')
    .description('put a function\'s dead letters back in the async queue')
    .argument('<function>', 'function name')
    .action(async (name: string, _opts: object, cmd: Command) => {
      const n = await clientFor(cmd).asyncQueue.redrive(name);
      out(`re-queued ${n} event${n === 1 ? '' : 's'} of ${name}`);
    });
}

function row(d: DeadLetterView): string[] {
  const error = d.errorType === undefined ? '' : `${d.errorType}: ${d.errorMessage ?? ''}`;
  return [d.requestId, new Date(d.failedAt).toISOString(), d.condition, String(d.attempts), error.length > 80 ? `${error.slice(0, 79)}…` : error];
}
