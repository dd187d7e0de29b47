// The NATS subjects of dispatch (docs/cluster.md, "Dispatch").

/**
 * Held (queue group `warm`) by each node while it has an idle environment of this function version
 * at this revision: `lambkin.warm.<name>.<version>.<revisionId>`. Function names, version numbers
 * and revision ids have no '.', '*', '>' or spaces; '$LATEST' is written LATEST.
 */
export function warmSubject(name: string, version: string, revisionId: string): string {
  return `lambkin.warm.${name}.${version === '$LATEST' ? 'LATEST' : version}.${revisionId}`;
}

/** A new environment placed on node `id` (it has room): `lambkin.node.<id>.invoke`. */
export function nodeInvokeSubject(id: string): string {
  return `lambkin.node.${id}.invoke`;
}

export const WARM_QUEUE = 'warm';
