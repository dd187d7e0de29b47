// `lambkin dlq <function>`: the function's dead letters — Event invocations that failed for good
// (retries exhausted, or too old) with no on-failure function to go to — a page at a time
// (--max-items, --starting-token), with how many there are and how many the server's cap dropped.
// `lambkin dlq redrive <function>`: put them back in the async queue, to run again.
import type { Command } from 'commander';
import type { DeadLetterView } from '../client/index.js';
import { clientFor } from './context.js';
import { UsageError, out, paint, table } from './output.js';

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('list a function\'s dead letters (failed Event invocations); `dlq redrive <function>` re-queues them')
    .argument('<function>', 'function name')
    .option('--json', 'print them as JSON, with their payloads')
    .option('--max-items <n>', 'letters in one page, 1-1000 (default 100)')
    .option('--starting-token <token>', 'the page after the one that printed this token')
    .action(async (name: string, opts: { json?: boolean; maxItems?: string; startingToken?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      const maxItems = opts.maxItems === undefined ? undefined : Number(opts.maxItems);
      if (maxItems !== undefined && !(Number.isInteger(maxItems) && maxItems >= 1 && maxItems <= 1000)) {
        throw new UsageError(`--max-items must be a whole number from 1 to 1000, not '${opts.maxItems}'`);
      }
      const [page, depth] = await Promise.all([
        client.asyncQueue.deadLetters(name, { maxItems, marker: opts.startingToken }),
        client.asyncQueue.depth(name),
      ]);
      const more = page.nextMarker === undefined ? '' : `more: lambkin dlq ${name} --starting-token ${page.nextMarker}`;
      if (opts.json) {
        if (more) process.stderr.write(`${more}\n`);
        return out(JSON.stringify(page.deadLetters, null, 2));
      }
      const f = depth.functions.find((d) => d.name === name);
      const dropped = f?.deadLettersDropped ? ` (${f.deadLettersDropped} older ones dropped: the server keeps a capped number per function)` : '';
      if (page.deadLetters.length === 0) return out(`no dead letters for ${name}${dropped}`);
      out(table(['REQUEST ID', 'FAILED', 'CONDITION', 'ATTEMPTS', 'ERROR'], page.deadLetters.map(row), paint(process.stdout)));
      out(`${f?.deadLetters ?? page.deadLetters.length} dead letter(s) of ${name} in all${dropped}`);
      if (more) out(more);
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
