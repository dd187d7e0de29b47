// Provisioned concurrency on a published version or an alias: PutProvisionedConcurrencyConfig
// (PUT /2019-09-30/functions/{name}/provisioned-concurrency?Qualifier= → 202), Get (200), Delete
// (204), and ListProvisionedConcurrencyConfigs (the same path with ?List=ALL). The configuration is
// stored in the registry; scheduler/provisioner.ts keeps the environments, and reports status.
//
// lambkin's own addition, warm environments of $LATEST (`lambkin deploy --warm K`): Lambda refuses
// provisioned concurrency on $LATEST, yet an unqualified invoke, the way most people call a
// function here, runs $LATEST. Kept as a configuration on qualifier $LATEST (never listed by the
// Lambda API), it is the same mechanism with the same limits, re-initialised after each update:
//   PUT /lambkin/v1/functions/{name}/warm {"count": K}  (0 = none)  → {requested, available, status}
//   GET /lambkin/v1/functions/{name}/warm                           → the same
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { json, type Operation, type Route } from '../http.js';
import type { Registry } from '../../registry/registry.js';
import type { Provisioner, ProvisionTarget } from '../../scheduler/provisioner.js';
import { findQualified, unqualifiedName } from './function-name.js';
import { pageOf, parsePaging } from './paging.js';
import { parseBody } from './schemas.js';
import { totalReserved, unreservedMinimum } from './account-settings.js';

export interface ProvisionedDeps {
  readonly registry: Registry;
  readonly provisioner: Provisioner;
  readonly maxConcurrency: number;
}

interface Stored {
  readonly count: number;
  readonly lastModified: string;
}

const PutRequest = z.strictObject({ ProvisionedConcurrentExecutions: z.number().int().min(1) });
const WarmRequest = z.strictObject({ count: z.number().int().min(0) });
const LATEST = '$LATEST';

/** What the provisioner keeps warm: each stored configuration, its alias followed to its version. */
export function provisionTargets(registry: Registry): ProvisionTarget[] {
  return registry.lifecycle.settingsOf<Stored>('provisioned').flatMap((s) => {
    const resolved = registry.resolve(s.name, s.qualifier);
    return resolved ? [{ id: `${s.name}:${s.qualifier}`, fn: resolved.record, count: s.value.count }] : [];
  });
}

/** The function and qualifier a request names; a qualifier is required and may not be $LATEST. */
function target(deps: ProvisionedDeps, raw: string, query: URLSearchParams): { name: string; qualifier: string } {
  const { name, qualifier } = findQualified(deps.registry, raw, query.get('Qualifier'));
  if (qualifier === undefined || qualifier === '$LATEST') {
    throw apiError('InvalidParameterValueException', 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
  }
  return { name, qualifier };
}

function describe(deps: ProvisionedDeps, name: string, qualifier: string, stored: Stored): Record<string, unknown> {
  const version = deps.registry.resolve(name, qualifier)?.record;
  const s = deps.provisioner.status(`${name}:${qualifier}`, stored.count, version?.revisionId);
  return {
    RequestedProvisionedConcurrentExecutions: s.requested,
    AvailableProvisionedConcurrentExecutions: s.available,
    AllocatedProvisionedConcurrentExecutions: s.available,
    Status: s.status,
    ...(s.reason ? { StatusReason: s.reason } : {}),
    LastModified: stored.lastModified,
  };
}

function checkLimits(deps: ProvisionedDeps, name: string, qualifier: string, count: number): void {
  const others = (fn?: string) => deps.registry.lifecycle.settingsOf<Stored>('provisioned', fn)
    .filter((s) => !(s.name === name && s.qualifier === qualifier))
    .filter((s) => fn !== undefined || deps.registry.get(s.name)?.reservedConcurrency === undefined)
    .reduce((sum, s) => sum + s.value.count, 0);
  const reserved = deps.registry.get(name)?.reservedConcurrency;
  if (reserved !== undefined) {
    if (count + others(name) > reserved) {
      throw apiError('InvalidParameterValueException',
        `Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution (${reserved}) for function ${name}.`);
    }
    return;
  }
  const available = deps.maxConcurrency - totalReserved(deps.registry) - unreservedMinimum(deps.maxConcurrency) - others();
  if (count > available) {
    throw apiError('InvalidParameterValueException',
      `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${Math.max(0, available)}] (--max-concurrency ${deps.maxConcurrency}, minus reservations, minus the unreserved minimum).`);
  }
}

function put(deps: ProvisionedDeps): Operation {
  return async (req) => {
    const { name, qualifier } = target(deps, req.params.name ?? '', req.query);
    const { ProvisionedConcurrentExecutions: count } = parseBody(PutRequest, req.body);
    checkLimits(deps, name, qualifier, count);
    const stored: Stored = { count, lastModified: new Date().toISOString().replace('Z', '+0000') };
    await deps.registry.lifecycle.putSetting(name, qualifier, 'provisioned', stored);
    deps.provisioner.retry(`${name}:${qualifier}`);
    deps.provisioner.reconcile();
    return json(202, describe(deps, name, qualifier, stored));
  };
}

function notConfigured(): Error {
  return apiError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function');
}

function get(deps: ProvisionedDeps): Operation {
  return (req) => {
    if (req.query.get('List') === 'ALL') return list(deps, req.params.name ?? '', req.query);
    const { name, qualifier } = target(deps, req.params.name ?? '', req.query);
    const stored = deps.registry.lifecycle.setting<Stored>(name, qualifier, 'provisioned');
    if (!stored) throw notConfigured();
    return json(200, describe(deps, name, qualifier, stored));
  };
}

function list(deps: ProvisionedDeps, raw: string, query: URLSearchParams) {
  const { name } = findQualified(deps.registry, raw, null);
  const all = deps.registry.lifecycle.settingsOf<Stored>('provisioned', name).filter((s) => s.qualifier !== LATEST);
  const page = pageOf(all, (s) => s.qualifier, parsePaging(query));
  return json(200, {
    ProvisionedConcurrencyConfigs: page.items.map((s) => ({
      FunctionArn: deps.registry.arns.functionArn(name, s.qualifier), ...describe(deps, name, s.qualifier, s.value),
    })),
    ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
  });
}

function remove(deps: ProvisionedDeps): Operation {
  return async (req) => {
    const { name, qualifier } = target(deps, req.params.name ?? '', req.query);
    if (!(await deps.registry.lifecycle.deleteSetting(name, qualifier, 'provisioned'))) throw notConfigured();
    deps.provisioner.reconcile();
    return { status: 204 };
  };
}

/** Warm environments of $LATEST: the status in lambkin's camelCase (see the header). */
function warmStatus(deps: ProvisionedDeps, name: string): Record<string, unknown> {
  const stored = deps.registry.lifecycle.setting<Stored>(name, LATEST, 'provisioned');
  if (!stored) return { requested: 0, available: 0, status: 'READY' };
  const s = deps.provisioner.status(`${name}:${LATEST}`, stored.count, deps.registry.resolve(name, LATEST)?.record.revisionId);
  return { requested: s.requested, available: s.available, status: s.status, ...(s.reason ? { reason: s.reason } : {}) };
}

function putWarm(deps: ProvisionedDeps): Operation {
  return async (req) => {
    const { name } = findQualified(deps.registry, unqualifiedName(deps.registry.arns, req.params.name ?? ''), null);
    const { count } = parseBody(WarmRequest, req.body);
    if (count === 0) {
      await deps.registry.lifecycle.deleteSetting(name, LATEST, 'provisioned');
    } else {
      checkLimits(deps, name, LATEST, count);
      await deps.registry.lifecycle.putSetting(name, LATEST, 'provisioned', { count, lastModified: new Date().toISOString().replace('Z', '+0000') });
      deps.provisioner.retry(`${name}:${LATEST}`);
    }
    deps.provisioner.reconcile();
    return json(200, warmStatus(deps, name));
  };
}

function getWarm(deps: ProvisionedDeps): Operation {
  return (req) => json(200, warmStatus(deps, findQualified(deps.registry, unqualifiedName(deps.registry.arns, req.params.name ?? ''), null).name));
}

/** The Lambda API's provisioned-concurrency operations (the Lambda table, table.ts). */
export function provisionedRoutes(deps: ProvisionedDeps): Route[] {
  const path = '/2019-09-30/functions/{name}/provisioned-concurrency';
  return [
    { method: 'PUT', pattern: path, operation: put(deps) },
    { method: 'GET', pattern: path, operation: get(deps) },
    { method: 'DELETE', pattern: path, operation: remove(deps) },
  ];
}

/** lambkin's own warm-environments operations (lambkin's table, ../lambkin-routes.ts). */
export function warmRoutes(deps: ProvisionedDeps): Route[] {
  const warm = '/lambkin/v1/functions/{name}/warm';
  return [
    { method: 'PUT', pattern: warm, operation: putWarm(deps) },
    { method: 'GET', pattern: warm, operation: getWarm(deps) },
  ];
}
