// GET /lambkin/v1/environments?function=   the execution environments that exist now (all
//                                          functions when none is named): state, age, invocations served
// DELETE /lambkin/v1/environments/{id}     stop one (an invocation it is running fails as a crash)
// On a cluster node both cover every node (docs/cluster.md, "Environments"): the list carries each
// environment's node and names the nodes that did not answer in time; a stop reaches the node
// that runs it. A single server lists and stops its own, as it always did.
import { apiError } from '../../errors.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { EnvironmentList, EnvironmentStopped, EnvironmentView } from '../../wire.js';
import { json, type Operation } from '../http.js';
import { Query } from '../investigate/query.js';

/** A cluster node's view of every node's environments (cluster/environments.ts makes it). */
export interface ClusterEnvironments {
  /** Every node's environments (this node's included), and the live nodes that did not answer. */
  list(functionName: string | undefined): Promise<EnvironmentList & { readonly unanswered: readonly string[] }>;
  /** Stop `id` on whichever node runs it: that node, or undefined with the nodes that did not answer. */
  stop(id: string): Promise<{ readonly node?: string; readonly unanswered: readonly string[] }>;
}

/** This node's environments, each with its age now. */
export function environmentsHere(scheduler: Scheduler, functionName: string | undefined, node?: string): EnvironmentView[] {
  const now = Date.now();
  return scheduler.environments(functionName).map((e): EnvironmentView => ({ ...e, ageMs: now - e.createdAt, ...(node ? { node } : {}) }));
}

export function listEnvironments(scheduler: Scheduler, cluster?: ClusterEnvironments): Operation {
  return async (req) => {
    const fn = new Query(req).string('function');
    const list: EnvironmentList = cluster ? await cluster.list(fn) : { environments: environmentsHere(scheduler, fn) };
    const environments = [...list.environments].sort((a, b) => a.createdAt - b.createdAt);
    return json(200, { ...list, environments });
  };
}

export function stopEnvironment(scheduler: Scheduler, cluster?: ClusterEnvironments): Operation {
  return async (req) => {
    const id = req.params.id ?? '';
    if (!cluster) {
      if (!scheduler.stopEnvironment(id)) throw apiError('ResourceNotFoundException', `No execution environment ${id} is running (it may have stopped already).`);
      return { status: 202, body: { id, stopping: true } satisfies EnvironmentStopped };
    }
    const { node, unanswered } = await cluster.stop(id);
    if (node === undefined) {
      const silent = unanswered.length ? ` ${unanswered.join(', ')} did not answer in time and may still run it; try again shortly.` : ' (it may have stopped already).';
      throw apiError('ResourceNotFoundException', `No execution environment ${id} is running on any node of the cluster that answered${silent}`);
    }
    return { status: 202, body: { id, stopping: true, node } satisfies EnvironmentStopped };
  };
}
