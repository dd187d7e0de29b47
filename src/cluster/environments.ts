// Every node's execution environments, through any node (docs/cluster.md, "Environments"): the
// environment list asks the other live nodes over NATS (lambkin.peer.environments.list) for theirs
// and adds its own, each tagged with its node; a stop is asked of every other node
// (lambkin.peer.environments.stop) when the environment is not here, and the node that runs it
// stops it. Both wait at most TIMEOUT_MS for the answers (all nodes are asked at once), so a node
// that does not answer costs that wait once and is named in the answer, never a hang.
// Off the invoke path: the console, `lambkin envs` and GET/DELETE /lambkin/v1/environments.
import type { Scheduler } from '../scheduler/scheduler.js';
import type { EnvironmentView } from '../wire.js';
import type { NodeInfo } from './node-info.js';
import type { PeerCalls } from './peer-calls.js';

const TIMEOUT_MS = 1_000;
const LIST = 'environments.list';
const STOP = 'environments.stop';
/** Names and ids are short; a longer one in a peer request is not ours. */
const MAX_TEXT = 256;

export interface ClusterEnvironmentsView {
  list(functionName: string | undefined): Promise<{ environments: EnvironmentView[]; unanswered: string[] }>;
  stop(id: string): Promise<{ node?: string; unanswered: string[] }>;
}

export function clusterEnvironments(o: { self: string; scheduler: Scheduler; peers: PeerCalls; live: () => readonly NodeInfo[]; timeoutMs?: number }): ClusterEnvironmentsView {
  const timeoutMs = o.timeoutMs ?? TIMEOUT_MS;
  const here = (fn: string | undefined): EnvironmentView[] => {
    const now = Date.now(); // each node ages its own by its own clock
    return o.scheduler.environments(fn).map((e) => ({ ...e, ageMs: now - e.createdAt, node: o.self }));
  };
  o.peers.serve(LIST, (body) => {
    const fn = (body as { function?: unknown } | null)?.function;
    if (fn !== undefined && (typeof fn !== 'string' || fn.length > MAX_TEXT)) return undefined;
    return { node: o.self, environments: here(fn) };
  });
  o.peers.serve(STOP, (body) => {
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id.length > MAX_TEXT) return undefined;
    return { node: o.self, stopped: o.scheduler.stopEnvironment(id) };
  });
  /** The live nodes (this one aside) that are not among `answered`. */
  const missing = (answered: ReadonlySet<string>) => o.live().map((n) => n.id).filter((id) => id !== o.self && !answered.has(id)).sort();
  return {
    list: async (fn) => {
      const environments = here(fn);
      const answered = new Set<string>();
      for (const a of await o.peers.askAll(LIST, fn === undefined ? {} : { function: fn }, timeoutMs)) {
        const answer = a as { node?: unknown; environments?: unknown };
        if (typeof answer?.node !== 'string' || !Array.isArray(answer.environments) || answered.has(answer.node)) continue;
        answered.add(answer.node);
        for (const e of answer.environments as unknown[]) if (isView(e)) environments.push({ ...e, node: answer.node });
      }
      return { environments, unanswered: missing(answered) };
    },
    stop: async (id) => {
      if (o.scheduler.stopEnvironment(id)) return { node: o.self, unanswered: [] };
      const answered = new Set<string>();
      let node: string | undefined;
      for (const a of await o.peers.askAll(STOP, { id }, timeoutMs)) {
        const answer = a as { node?: unknown; stopped?: unknown };
        if (typeof answer?.node !== 'string') continue;
        answered.add(answer.node);
        if (answer.stopped === true) node = answer.node;
      }
      return node !== undefined ? { node, unanswered: [] } : { unanswered: missing(answered) };
    },
  };
}

/** An environment as another node sent it: the fields the list shows, of the right types. */
function isView(e: unknown): e is EnvironmentView {
  if (typeof e !== 'object' || e === null) return false;
  const v = e as Record<string, unknown>;
  return ['id', 'functionName', 'version', 'state', 'logStream'].every((k) => typeof v[k] === 'string')
    && ['createdAt', 'lastUsedAt', 'invocations', 'ageMs'].every((k) => typeof v[k] === 'number')
    && typeof v.busy === 'boolean' && typeof v.frozen === 'boolean';
}
