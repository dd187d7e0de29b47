// Carries out a plan as one step: every change made is written down with the call that undoes
// it, and when any call fails the undo calls run, last first, so the server is left as before
// (functions created are deleted; code, configuration, alias, concurrency and URL of functions
// updated are put back; versions and layer versions published are deleted).
import { isApiError, isUnknownOperation, type FunctionConfiguration, type FunctionSettings, type LambkinClient } from '../../client/index.js';
import type { CodePackage } from '../package.js';
import type { BuiltPackages } from './build.js';
import { TemplateError } from './errors.js';
import type { FunctionPlan, Plan } from './plan.js';
import { snapshot, type FunctionSnapshot } from './snapshot.js';

/** lambkin does not use IAM roles; Lambda's API requires one, so a fixed placeholder is sent. */
const PLACEHOLDER_ROLE = 'arn:aws:iam::000000000000:role/lambkin';
export const LAYERS_UNSUPPORTED = 'layers are not supported by this server yet: deployed without them (put the layer\'s files in the function\'s folder meanwhile)';

export interface DeployedFunction {
  readonly plan: FunctionPlan;
  readonly action: 'created' | 'updated';
  readonly config: FunctionConfiguration;
  readonly size: number;
  readonly version?: string;
  readonly url?: string;
}

export interface ApplyResult {
  readonly functions: readonly DeployedFunction[];
  /** False when the server answered that it has no layers: the functions went without them. */
  readonly layersSupported: boolean;
}

interface Undo {
  readonly what: string;
  readonly run: () => Promise<unknown>;
}

function settingsOf(fn: FunctionPlan, layers: readonly string[] | undefined): FunctionSettings & { Layers?: readonly string[] } {
  return {
    Runtime: fn.runtime, Handler: fn.handler, MemorySize: fn.memory, Timeout: fn.timeout, Description: fn.description,
    Environment: { Variables: { ...fn.env } }, EphemeralStorage: { Size: fn.ephemeralStorage },
    ...(layers === undefined ? {} : { Layers: layers }),
  };
}

/** What the undo of an update puts back; the layers too when this deploy may have changed them. */
function restoreSettings(c: FunctionConfiguration, layers: boolean): FunctionSettings & { Layers?: readonly string[] } {
  return {
    Runtime: c.Runtime, Handler: c.Handler, MemorySize: c.MemorySize, Timeout: c.Timeout, Description: c.Description ?? '',
    Environment: { Variables: { ...c.Environment?.Variables } }, EphemeralStorage: c.EphemeralStorage,
    // Layers in the wire shape of servers that have them ({ Arn, CodeSize }); not in the client's types yet.
    ...(layers ? { Layers: ((c as { Layers?: readonly { Arn: string }[] }).Layers ?? []).map((l) => l.Arn) } : {}),
  };
}

export async function applyPlan(client: LambkinClient, plan: Plan, built: BuiltPackages): Promise<ApplyResult> {
  // Reads first: what is there now, for the undo.
  const before = new Map<string, FunctionSnapshot | undefined>();
  for (const fn of plan.functions) before.set(fn.logicalId, await snapshot(client, fn));

  const undo: Undo[] = [];
  let step = '';
  let current: FunctionPlan | undefined;
  try {
    const { supported, arns } = await publishLayers(client, plan, built, undo, (s) => (step = s));
    const usesArns = plan.functions.some((f) => f.layers.some((l) => 'arn' in l));
    const layersSupported = supported ?? (usesArns || plan.functions.some((f) => f.layers.length > 0) ? await client.lifecycle.layersSupported() : false);
    const out: DeployedFunction[] = [];
    for (const fn of plan.functions) {
      current = fn;
      const layers = layersSupported ? fn.layers.map((l) => ('arn' in l ? l.arn : arns.get(l.logicalId)!)) : undefined;
      out.push(await deployFunction(client, fn, built.functions.get(fn.logicalId)!, before.get(fn.logicalId), layers, undo, (s) => (step = s)));
    }
    return { functions: out, layersSupported };
  } catch (err) {
    const failures: string[] = [];
    for (const u of undo.reverse()) {
      try {
        await u.run();
      } catch (e) {
        failures.push(`${u.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const where = current ? `${current.at}: ${current.logicalId}: ` : '';
    const why = isApiError(err) ? `${err.name}: ${err.message}` : err instanceof Error ? err.message : String(err);
    const after = undo.length === 0 ? 'nothing was changed'
      : failures.length === 0 ? `the ${undo.length} change(s) this deploy made were undone: the server is as before`
        : `undoing failed for: ${failures.join('; ')}`;
    const expected = isApiError(err) || err instanceof TemplateError || (err instanceof Error && err.name === 'LambkinConnectionError');
    // A bug of lambkin's own keeps its stack (the CLI prints it), with what the undo did.
    if (!expected && err instanceof Error) throw Object.assign(err, { message: `${err.message}\n${after}` });
    throw new TemplateError(`${where}${step ? `${step} failed: ` : ''}${why}\n${after}`);
  }
}

/** Publishes the template's layers. `supported` is undefined when there were none to publish. */
async function publishLayers(
  client: LambkinClient, plan: Plan, built: BuiltPackages, undo: Undo[], step: (s: string) => void,
): Promise<{ supported?: boolean; arns: Map<string, string> }> {
  const arns = new Map<string, string>();
  for (const layer of plan.layers) {
    step(`PublishLayerVersion ${layer.name}`);
    try {
      const v = await client.lifecycle.publishLayerVersion(layer.name, {
        ZipFile: built.layers.get(layer.logicalId)!.zip, Description: layer.description, CompatibleRuntimes: layer.runtimes, LicenseInfo: layer.license,
      });
      undo.push({ what: `delete layer ${layer.name} version ${v.Version}`, run: () => client.lifecycle.deleteLayerVersion(layer.name, v.Version) });
      arns.set(layer.logicalId, v.LayerVersionArn);
    } catch (err) {
      if (isUnknownOperation(err)) return { supported: false, arns };
      throw err;
    }
  }
  return { supported: plan.layers.length > 0 ? true : undefined, arns };
}

async function deployFunction(
  client: LambkinClient, fn: FunctionPlan, pkg: CodePackage, was: FunctionSnapshot | undefined,
  layers: readonly string[] | undefined, undo: Undo[], step: (s: string) => void,
): Promise<DeployedFunction> {
  const name = fn.name;
  const lc = client.lifecycle;
  const settings = settingsOf(fn, layers);
  let config: FunctionConfiguration;
  if (!was) {
    step('CreateFunction');
    config = await client.createFunction({ FunctionName: name, ZipFile: pkg.zip, Role: PLACEHOLDER_ROLE, ...settings });
    undo.push({ what: `delete function ${name}`, run: () => client.deleteFunction(name) });
  } else {
    step('UpdateFunctionCode');
    await client.updateFunctionCode(name, pkg.zip);
    undo.push({ what: `restore the code of ${name}`, run: () => client.updateFunctionCode(name, was.code) });
    step('UpdateFunctionConfiguration');
    config = await client.updateFunctionConfiguration(name, settings);
    undo.push({ what: `restore the configuration of ${name}`, run: () => client.updateFunctionConfiguration(name, restoreSettings(was.config, layers !== undefined)) });
  }
  let version: string | undefined;
  if (fn.alias) {
    const alias = fn.alias;
    step('PublishVersion');
    version = (await lc.publishVersion(name)).Version;
    const v = version;
    if (was && !was.versions.has(v)) undo.push({ what: `delete version ${v} of ${name}`, run: () => lc.deleteVersion(name, v) });
    step(`alias ${alias}`);
    if (was?.aliasVersion === undefined) {
      await lc.createAlias(name, alias, v);
      if (was) undo.push({ what: `delete alias ${alias} of ${name}`, run: () => lc.deleteAlias(name, alias) });
    } else if (was.aliasVersion !== v) {
      await lc.updateAlias(name, alias, v);
      const old = was.aliasVersion;
      undo.push({ what: `point alias ${alias} of ${name} back at ${old}`, run: () => lc.updateAlias(name, alias, old) });
    }
  }
  step('reserved concurrency');
  if (fn.reservedConcurrency !== undefined && fn.reservedConcurrency !== was?.reserved) {
    await lc.putReservedConcurrency(name, fn.reservedConcurrency);
    const old = was?.reserved;
    if (was) undo.push({ what: `restore the reserved concurrency of ${name}`, run: () => (old === undefined ? lc.deleteReservedConcurrency(name) : lc.putReservedConcurrency(name, old)) });
  } else if (fn.reservedConcurrency === undefined && was?.reserved !== undefined) {
    await lc.deleteReservedConcurrency(name);
    const old = was.reserved;
    undo.push({ what: `restore the reserved concurrency of ${name}`, run: () => lc.putReservedConcurrency(name, old) });
  }
  if (fn.alias && fn.provisionedConcurrency !== undefined && fn.provisionedConcurrency !== was?.provisioned) {
    const alias = fn.alias;
    step('provisioned concurrency');
    await lc.putProvisionedConcurrency(name, alias, fn.provisionedConcurrency);
    const old = was?.provisioned;
    if (was) undo.push({ what: `restore the provisioned concurrency of ${name}:${alias}`, run: () => (old === undefined ? lc.deleteProvisionedConcurrency(name, alias) : lc.putProvisionedConcurrency(name, alias, old)) });
  }
  let url: string | undefined;
  if (fn.url) {
    step('function URL');
    const { authType, cors } = fn.url;
    const old = was?.url;
    if (old) {
      url = (await lc.updateUrlConfig(name, fn.alias, authType, cors)).FunctionUrl;
      undo.push({ what: `restore the URL settings of ${name}`, run: () => lc.updateUrlConfig(name, fn.alias, old.AuthType, old.Cors) });
    } else {
      url = (await lc.createUrlConfig(name, fn.alias, authType, cors)).FunctionUrl;
      if (was) undo.push({ what: `delete the URL of ${name}`, run: () => lc.deleteUrlConfig(name, fn.alias) });
    }
  }
  return { plan: fn, action: was ? 'updated' : 'created', config, size: pkg.zip.length, version, url };
}
