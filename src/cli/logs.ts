// `lambkin logs <function>`: the function's log, every environment's stream merged in time order
// (what CloudWatch makes hard: one invocation's lines are in whichever stream ran it).
// --request-id prints one invocation whole; --follow keeps polling for new lines, new
// environments included; colours by level on a terminal.
import type { Command } from 'commander';
import type { LambkinClient, LogEventView, LogLevelName } from '../client/index.js';
import { clientFor } from './context.js';
import { note, paint, UsageError } from './output.js';
import { parseSince } from './since.js';

interface LogsOptions {
  follow?: boolean;
  since?: string;
  requestId?: string;
  filter?: string;
  errors?: boolean;
  json?: boolean;
}

const POLL_MS = 500;
const ERROR_LEVELS: readonly LogLevelName[] = ['ERROR', 'FATAL'];

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print a function\'s log: all its environments merged in time order')
    .argument('<function>', 'function name')
    .option('-f, --follow', 'keep printing new lines as they arrive, from every environment (Ctrl-C stops)')
    .option('--since <time>', 'start at this time: 10m, 2h, 7d ago, or an ISO time (default 1h)')
    .option('--request-id <id>', 'print one invocation whole, wherever it ran')
    .option('--filter <pattern>', 'CloudWatch filter pattern: terms, "a phrase", ?any ?of, -not, { $.field = "value" }')
    .option('--errors', 'only lines logged at ERROR or FATAL level')
    .option('--json', 'one JSON object per line (time, stream, environment, request id, level, message)')
    .action(async (name: string, opts: LogsOptions, cmd: Command) => {
      const client = clientFor(cmd);
      const print = printer(opts.json === true);
      if (opts.requestId !== undefined) {
        if (opts.follow) throw new UsageError('--request-id prints one invocation; it cannot be combined with --follow');
        await printInvocation(client, name, opts.requestId, print);
        return;
      }
      await printEvents(client, name, opts, print);
    });
}

async function printInvocation(client: LambkinClient, name: string, requestId: string, print: (e: LogEventView) => void): Promise<void> {
  let page = await client.investigate.invocation(requestId);
  const invocation = page.invocation;
  if (invocation && invocation.functionName !== name) {
    throw new UsageError(`request ${requestId} is an invocation of ${invocation.functionName}, not ${name}`);
  }
  if (page.events.length === 0) note(`lambkin: invocation ${requestId} has no log lines (logging is off for ${name}?)`);
  for (;;) {
    for (const e of page.events) print(e);
    if (page.next === undefined) return;
    page = await client.investigate.invocation(requestId, { after: page.next });
  }
}

async function printEvents(client: LambkinClient, name: string, opts: LogsOptions, print: (e: LogEventView) => void): Promise<void> {
  const since = parseSince(opts.since ?? '1h');
  const query = { functionName: name, since, filter: opts.filter, levels: opts.errors ? ERROR_LEVELS : undefined, limit: 1000 };
  let after: string | undefined;
  let printed = 0;
  let stop = false;
  if (opts.follow) {
    const end = () => {
      stop = true;
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  }
  while (!stop) {
    const page = await client.investigate.events({ ...query, after });
    for (const e of page.events) print(e);
    printed += page.events.length;
    after = page.next;
    if (page.more) continue;
    if (!opts.follow) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (printed === 0 && !opts.follow) {
    note(`lambkin: no log lines of ${name} since ${new Date(since).toISOString()}${opts.since ? '' : ' (--since 1d looks further back)'}`);
  }
}

type Colour = (text: string) => string;

function printer(json: boolean): (e: LogEventView) => void {
  if (json) return (e) => process.stdout.write(JSON.stringify(e) + '\n');
  // Colours only on a terminal and without NO_COLOR (output.ts decides, for every command).
  const p = paint(process.stdout);
  const colour = (level: string | undefined): Colour => {
    if (level === 'ERROR' || level === 'FATAL') return p.red;
    if (level === 'WARN') return p.yellow;
    if (level === 'PLATFORM' || level === 'DEBUG' || level === 'TRACE') return p.dim;
    return (t) => t;
  };
  return (e) => {
    const where = p.dim(`${e.time} ${(e.envId ?? '').slice(0, 8).padEnd(8)}`);
    process.stdout.write(`${where} ${colour(e.level)(e.message)}\n`);
  };
}
