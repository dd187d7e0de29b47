// `lambkin nodes`: the nodes of the cluster the server belongs to (GET /lambkin/v1/nodes) — each
// one's address, environments warm and busy, invocations in flight, capacity, version and when it
// was last heard of. A server that is not a cluster node lists itself.
import type { Command } from 'commander';
import { LambkinConnectionError, type NodeInfo } from '../client/index.js';
import { clientFor } from './context.js';
import { out, paint, table, UsageError } from './output.js';

/** "0.4 s ago": how long since the answering node last heard of it. */
function ago(at: number, now: number): string {
  const s = Math.max(0, now - at) / 1000;
  return s < 60 ? `${s.toFixed(1)} s ago` : `${Math.round(s / 60)} min ago`;
}

function capacity(n: NodeInfo): string {
  const memory = n.memoryBudgetMb > 0 ? `, ${n.memoryUsedMb}/${n.memoryBudgetMb} MB` : '';
  return `${n.maxConcurrency} concurrent${memory}`;
}

export function registerNodes(program: Command): void {
  program
    .command('nodes')
    .description('list the nodes of the cluster: address, environments, in-flight invocations, capacity, version, last heartbeat')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      let nodes: readonly NodeInfo[];
      try {
        nodes = await clientFor(cmd).listNodes();
      } catch (err) {
        if (err instanceof LambkinConnectionError) {
          throw new UsageError(`${err.message}\n(start a server with \`npx lambkin serve\`, or point --endpoint at any node of the cluster)`);
        }
        throw err;
      }
      if (opts.json) return out(JSON.stringify(nodes, null, 2));
      const now = Date.now();
      const rows = nodes.map((n) => [
        n.id, n.url, `${n.warm} / ${n.busy}`, String(n.inflight), capacity(n), n.version, ago(n.heartbeatAt, now),
      ]);
      process.stdout.write(table(['NODE', 'ADDRESS', 'WARM / BUSY', 'IN FLIGHT', 'CAPACITY', 'VERSION', 'LAST HEARTBEAT'], rows, paint(process.stdout)));
    });
}
