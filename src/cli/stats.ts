// `lambkin stats <function>`: how a function has been doing over a window — invocations, errors
// by type, cold starts, duration percentiles, peak memory — as a small table.
import type { Command } from 'commander';
import type { FunctionStatsView } from '../client/index.js';
import { clientFor } from './context.js';
import { out, paint } from './output.js';
import { parseSince } from './since.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('invocations, errors, cold starts, duration percentiles and memory of a function')
    .argument('<function>', 'function name')
    .option('--since <time>', 'window start: 10m, 2h, 7d ago, or an ISO time (default 24h)')
    .option('--json', 'print the numbers as JSON')
    .action(async (name: string, opts: { since?: string; json?: boolean }, cmd: Command) => {
      const since = parseSince(opts.since ?? '24h');
      const client = clientFor(cmd);
      const stats = await client.investigate.stats(name, { since });
      // The async queue as it is now (not over the window): events waiting, running, dead letters.
      const depth = (await client.asyncQueue.depth(name)).functions[0] ?? { queued: 0, running: 0, deadLetters: 0 };
      const asyncQueue = { queued: depth.queued, running: depth.running, deadLetters: depth.deadLetters };
      out(opts.json ? JSON.stringify({ ...stats, asyncQueue }, null, 2) : render(stats, opts.since ?? '24h', asyncQueue));
    });
}

const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;
const share = (n: number, of: number) => (of === 0 ? '' : ` (${((100 * n) / of).toFixed(1)} %)`);

function render(s: FunctionStatsView, window: string, q: { queued: number; running: number; deadLetters: number }): string {
  const p = paint(process.stdout);
  const rows: [string, string][] = [
    ['invocations', String(s.invocations)],
    ['errors', `${s.errors}${share(s.errors, s.invocations)}`],
    ...Object.entries(s.errorsByType).map(([type, n]): [string, string] => [`  ${type}`, String(n)]),
    ['cold starts', `${s.coldStarts}${share(s.coldStarts, s.invocations)}`],
  ];
  if (s.durationMs) {
    const d = s.durationMs;
    rows.push(['duration', `p50 ${ms(d.p50)}   p95 ${ms(d.p95)}   p99 ${ms(d.p99)}   max ${ms(d.max)}`]);
  }
  if (s.initMs) rows.push(['init', `p50 ${ms(s.initMs.p50)}   max ${ms(s.initMs.max)}`]);
  if (s.maxMemoryUsedMb !== undefined) rows.push(['max memory', `${s.maxMemoryUsedMb} MB${s.memoryMb ? ` of ${s.memoryMb} MB` : ''}`]);
  rows.push(['async queue', `${q.queued} queued   ${q.running} running   ${q.deadLetters} dead letters`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const since = s.since === undefined ? '' : ` since ${new Date(s.since).toISOString()}`;
  const head = p.bold(`${s.functionName}${since} (${window})`);
  return [head, ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n') + '\n';
}
