// Before a template deploy changes anything: what each of its functions is on the server now
// (configuration, code, versions, alias, reserved and provisioned concurrency, URL), so that a
// failed deploy can put every one of them back. Only reads.
import { isApiError, type FunctionConfiguration, type FunctionUrlConfig, type LambkinClient } from '../../client/index.js';
import type { FunctionPlan } from './plan.js';

export interface FunctionSnapshot {
  readonly config: FunctionConfiguration;
  readonly code: Buffer;
  readonly versions: ReadonlySet<string>;
  /** The version the plan's alias points at now (undefined: no such alias). */
  readonly aliasVersion?: string;
  readonly reserved?: number;
  readonly provisioned?: number;
  readonly url?: FunctionUrlConfig;
}

/** undefined for a 404 (no such function, alias, URL, setting). */
async function orNone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

export async function snapshot(client: LambkinClient, fn: FunctionPlan): Promise<FunctionSnapshot | undefined> {
  const got = await orNone(client.getFunction(fn.name));
  if (!got) return undefined;
  const lc = client.lifecycle;
  const alias = fn.alias;
  const [code, versions, aliasConfig, provisioned, url] = await Promise.all([
    client.downloadCode(fn.name),
    lc.listVersions(fn.name),
    alias ? orNone(lc.getAlias(fn.name, alias)) : undefined,
    alias ? orNone(lc.getProvisionedConcurrency(fn.name, alias)) : undefined,
    fn.url ? orNone(lc.getUrlConfig(fn.name, alias)) : undefined,
  ]);
  return {
    config: got.Configuration,
    code,
    versions: new Set(versions),
    aliasVersion: aliasConfig?.FunctionVersion,
    reserved: got.Concurrency?.ReservedConcurrentExecutions,
    provisioned: provisioned?.RequestedProvisionedConcurrentExecutions,
    url,
  };
}
