// `lambkin envs [function]`: the execution environments that exist now — of every node when the
// server is a cluster node (each one's node shown, and the nodes that did not answer named) — and
// `lambkin envs --stop ID` to stop one, on whichever node runs it (GET/DELETE /lambkin/v1/environments).
import type { Command } from 'commander';
import type { EnvironmentView } from '../client/index.js';
import { clientFor } from './context.js';
import { note, out, paint, table } from './output.js';

function age(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

function state(e: EnvironmentView): string {
  return e.busy ? 'busy' : e.frozen ? `${e.state}, frozen` : e.state;
}

export function registerEnvs(program: Command): void {
  program
    .command('envs')
    .alias('environments')
    .argument('[function]', 'only this function\'s environments')
    .description('list the execution environments now (of every node of a cluster), or stop one with --stop')
    .option('--stop <id>', 'stop this environment (an invocation it is running fails)')
    .option('--json', 'print them as JSON')
    .action(async (fn: string | undefined, opts: { stop?: string; json?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      if (opts.stop !== undefined) {
        const stopped = await client.stopEnvironment(opts.stop);
        return opts.json ? out(JSON.stringify(stopped, null, 2)) : note(`stopping ${stopped.id}${stopped.node ? ` on ${stopped.node}` : ''}`);
      }
      const list = await client.listEnvironments(fn);
      if (opts.json) return out(JSON.stringify(list, null, 2));
      const cluster = list.unanswered !== undefined;
      for (const n of list.unanswered ?? []) process.stderr.write(`lambkin: node ${n} did not answer in time: its environments are not listed\n`);
      if (list.environments.length === 0) return note(`no execution environments${fn ? ` of ${fn}` : ''} now`);
      const rows = list.environments.map((e) => [
        e.id, e.functionName, e.version, state(e), ...(cluster ? [e.node ?? ''] : []), age(e.ageMs), String(e.invocations), e.logStream,
      ]);
      const header = ['ID', 'FUNCTION', 'VERSION', 'STATE', ...(cluster ? ['NODE'] : []), 'AGE', 'INVOCATIONS', 'LOG STREAM'];
      process.stdout.write(table(header, rows, paint(process.stdout)));
    });
}
