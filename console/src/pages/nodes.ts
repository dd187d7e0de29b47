// Nodes: the machines of the cluster as the node serving the console hears of them (their
// heartbeats), refreshed every second — address, environments warm and busy, invocations in
// flight, capacity, version and last heartbeat. A server that is not a cluster node lists itself.
import { clear, h } from '../dom.js';
import { ago, count, time } from '../format.js';
import * as api from '../lambda.js';
import { aborted, every, type Page } from '../page.js';
import { dataTable } from '../table.js';
import type { NodeInfo } from '../types.js';
import { failure, loading } from '../ui.js';

function capacity(n: NodeInfo): string {
  const memory = n.memoryBudgetMb > 0 ? ` · ${count(n.memoryUsedMb)} / ${count(n.memoryBudgetMb)} MB` : '';
  return `${count(n.maxConcurrency)} concurrent${memory}`;
}

export const nodesPage: Page = ({ root, signal }) => {
  const body = h('div', loading('nodes'));
  clear(root, h('header.page-head', h('h1', 'Nodes')), body);
  const load = async () => {
    try {
      const { nodes } = await api.nodes(signal);
      const table = dataTable<NodeInfo>({
        label: 'Nodes', rows: nodes,
        columns: [
          { title: 'Node', cell: (n) => h('strong', n.id) },
          { title: 'Address', cell: (n) => n.url },
          { title: 'Warm', cell: (n) => count(n.warm), num: true },
          { title: 'Busy', cell: (n) => count(n.busy), num: true },
          { title: 'In flight', cell: (n) => count(n.inflight), num: true },
          { title: 'Capacity', cell: (n) => capacity(n), narrow: false },
          { title: 'Version', cell: (n) => n.version, narrow: false },
          { title: 'Last heartbeat', cell: (n) => h('span', { title: time(n.heartbeatAt) }, ago(n.heartbeatAt)) },
        ],
      });
      clear(body, table.el, h('p.muted', nodes.length === 1 ? '1 node' : `${nodes.length} nodes`));
    } catch (err) {
      if (!aborted(err)) clear(body, failure(err));
    }
  };
  every(1000, signal, load);
  return load();
};
