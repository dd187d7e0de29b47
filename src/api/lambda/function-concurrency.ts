// Reserved concurrency: PutFunctionConcurrency (PUT /2017-10-31/functions/{name}/concurrency),
// GetFunctionConcurrency (GET /2019-09-30/…/concurrency), DeleteFunctionConcurrency (DELETE
// /2017-10-31/…/concurrency). 0 throttles every invoke of the function.
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { json, type Operation, type Route } from '../http.js';
import type { Registry } from '../../registry/registry.js';
import { findFunction, unqualifiedName } from './function-name.js';
import { parseBody } from './schemas.js';
import { totalReserved, unreservedMinimum } from './account-settings.js';

export interface ConcurrencyDeps {
  readonly registry: Registry;
  /** The server-wide limit (--max-concurrency): no function may reserve more. */
  readonly maxConcurrency: number;
}

const PutRequest = z.strictObject({ ReservedConcurrentExecutions: z.number().int().min(0) });

function put(deps: ConcurrencyDeps): Operation {
  return async (req) => {
    const name = unqualifiedName(deps.registry.arns, req.params.name ?? '');
    const { ReservedConcurrentExecutions: n } = parseBody(PutRequest, req.body);
    if (!deps.registry.get(name)) findFunction(deps.registry, name, null);
    // As on Lambda, reservations must leave a minimum to the functions without one.
    const minimum = unreservedMinimum(deps.maxConcurrency);
    if (deps.maxConcurrency - totalReserved(deps.registry, name) - n < minimum) {
      throw apiError('InvalidParameterValueException',
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}] (--max-concurrency ${deps.maxConcurrency}).`);
    }
    await deps.registry.setReservedConcurrency(name, n);
    return json(200, { ReservedConcurrentExecutions: n });
  };
}

function get(deps: ConcurrencyDeps): Operation {
  return (req) => {
    const fn = findFunction(deps.registry, unqualifiedName(deps.registry.arns, req.params.name ?? ''), null);
    return json(200, fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency });
  };
}

function remove(deps: ConcurrencyDeps): Operation {
  return async (req) => {
    const fn = findFunction(deps.registry, unqualifiedName(deps.registry.arns, req.params.name ?? ''), null);
    await deps.registry.setReservedConcurrency(fn.config.name, undefined);
    return { status: 204 };
  };
}

export function concurrencyRoutes(deps: ConcurrencyDeps): Route[] {
  return [
    { method: 'PUT', pattern: '/2017-10-31/functions/{name}/concurrency', operation: put(deps) },
    { method: 'GET', pattern: '/2019-09-30/functions/{name}/concurrency', operation: get(deps) },
    { method: 'DELETE', pattern: '/2017-10-31/functions/{name}/concurrency', operation: remove(deps) },
  ];
}
