// The API route tables (lambda/table.ts, logs/routes.ts, lambkin-routes.ts) are added to one router
// in server.ts, where the first matching route wins. Their paths must not overlap — each API owns
// its own first path segment — so that no table can shadow another whatever their order.
import { describe, expect, it } from 'vitest';
import { lambdaRoutes } from '../../src/api/lambda/table.js';
import { lambkinRoutes } from '../../src/api/lambkin-routes.js';
import { changesRegistry } from '../../src/api/cluster-routes.js';

// Building a table only makes closures over its dependencies: nothing is called until a request.
const unused = {} as never;

describe('API route tables', () => {
  const lambda = lambdaRoutes({
    registry: unused, scheduler: unused, provisioner: unused, maxConcurrency: 10, log: () => {}, enqueueAsync: unused, recordDeploys: (r) => [...r],
  });
  const lambkin = lambkinRoutes({ logs: unused, registry: unused, asyncInvoker: unused, consoleRoutes: [], provisioned: unused, nodes: () => [] });

  it('the Lambda table holds only Lambda REST paths, ending with the not-implemented operations', () => {
    expect(lambda.filter((r) => !/^\/20\d\d-\d\d-\d\d\//.test(r.pattern)).map((r) => r.pattern)).toEqual([]);
    expect(lambda.at(-1)?.pattern).toMatch(/^\/2026-07-09\/resource-policy\//);
    expect(lambda.find((r) => r.method === 'POST' && r.pattern === '/2015-03-31/functions/{name}/invocations')).toBeDefined();
  });

  it("lambkin's own table holds only /lambkin/v1/ paths", () => {
    expect(lambkin.length).toBeGreaterThan(0);
    expect(lambkin.filter((r) => !r.pattern.startsWith('/lambkin/v1/')).map((r) => r.pattern)).toEqual([]);
  });

  it('on a cluster node, every write of the Lambda API and the warm setting is announced to the other nodes; invocations and reads are not', () => {
    const announced = [...lambda, ...lambkin].filter(changesRegistry).map((r) => `${r.method} ${r.pattern}`);
    for (const write of [
      'POST /2015-03-31/functions', 'PUT /2015-03-31/functions/{name}/code', 'PUT /2015-03-31/functions/{name}/configuration',
      'DELETE /2015-03-31/functions/{name}', 'POST /2015-03-31/functions/{name}/versions', 'POST /2015-03-31/functions/{name}/aliases',
      'PUT /2015-03-31/functions/{name}/aliases/{alias}', 'DELETE /2015-03-31/functions/{name}/aliases/{alias}',
      'PUT /2017-10-31/functions/{name}/concurrency', 'POST /2018-10-31/layers/{name}/versions', 'PUT /lambkin/v1/functions/{name}/warm',
    ]) expect(announced).toContain(write);
    expect(announced.filter((r) => r.startsWith('GET ') || r.endsWith('invocations'))).toEqual([]);
  });
});
