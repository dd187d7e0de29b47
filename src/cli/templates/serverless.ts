// A Serverless Framework file (serverless.yml) as a Plan: provider defaults, functions.* (named
// <service>-<stage>-<key> unless `name` is set), their http/httpApi/url events as function URLs,
// package.patterns, layers.*, with the variables of serverless-vars.ts resolved.
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { TemplateError } from './errors.js';
import { Notes, DEFAULT_EPHEMERAL, DEFAULT_MEMORY, DEFAULT_TIMEOUT, type FunctionPlan, type LayerPlan, type LayerUse, type Plan } from './plan.js';
import { patternFilter } from './patterns.js';
import { checkUnique, type TemplateOptions } from './sam.js';
import { ServerlessVariables } from './serverless-vars.js';
import { isObject, type Path, type Source, type Value } from './source.js';
import { checkNumber, envMap, hostArchitecture } from './values.js';

const TOP_LEVEL_NO_EFFECT: Readonly<Record<string, string>> = {
  frameworkVersion: '', configValidationMode: '', variablesResolutionMode: '', org: '', app: '', console: '', custom: '',
  plugins: 'plugins are not run by lambkin', resources: 'CloudFormation resources are not deployed', useDotenv: '.env files are not read: export the variables',
};
const PROVIDER_USED = new Set(['name', 'runtime', 'memorySize', 'timeout', 'environment', 'layers', 'stage', 'region', 'architecture', 'ephemeralStorageSize']);
const FUNCTION_USED = new Set(['handler', 'runtime', 'memorySize', 'timeout', 'environment', 'layers', 'name', 'description', 'events', 'package',
  'reservedConcurrency', 'provisionedConcurrency', 'url', 'architecture', 'ephemeralStorageSize']);
const NO_EFFECT = new Set(['iam', 'iamRoleStatements', 'role', 'tracing', 'vpc', 'deploymentBucket', 'tags', 'stackTags', 'logs', 'versionFunctions',
  'logRetentionInDays', 'profile', 'runtimeManagement', 'kmsKeyArn', 'apiGateway', 'httpApi', 'onError', 'destinations', 'disableLogs', 'deploymentMethod']);

export function serverlessPlan(src: Source, opts: TemplateOptions): Plan {
  const notes = new Notes();
  const vars = new ServerlessVariables(src, { stage: opts.stage, region: opts.region, env: opts.env }, notes);
  const root = src.root as { [k: string]: Value };
  const dir = dirname(resolvePath(src.file));
  const serviceValue = vars.at(['service']);
  const service = isObject(serviceValue) ? serviceValue.name : serviceValue;
  if (typeof service !== 'string' || !service) throw new TemplateError(`${src.at(['service'])}: serverless.yml needs a service name`);
  const stage = vars.stage();
  const provider = vars.at(['provider']) ?? {};
  if (!isObject(provider)) throw new TemplateError(`${src.at(['provider'])}: provider must be a map`);
  if (provider.name !== undefined && provider.name !== 'aws') throw new TemplateError(`${src.at(['provider', 'name'])}: provider ${String(provider.name)}: lambkin reads aws providers only`);
  for (const k of Object.keys(provider)) {
    if (!PROVIDER_USED.has(k)) notes.add('provider', k, src.at(['provider', k]), NO_EFFECT.has(k) ? 'no effect locally' : 'not supported by lambkin');
  }
  for (const k of Object.keys(root)) {
    const why = TOP_LEVEL_NO_EFFECT[k];
    if (why !== undefined) {
      if (why) notes.add(k, '', src.at([k]), why);
    } else if (!['service', 'provider', 'functions', 'package', 'layers'].includes(k)) notes.add(k, '', src.at([k]), 'not supported by lambkin');
  }
  const layers = layerPlans(src, vars, dir, notes);
  const pkg = vars.at(['package']);
  const servicePatterns = isObject(pkg) && Array.isArray(pkg.patterns) ? pkg.patterns.map(String) : [];
  const functionsValue = root.functions;
  if (!isObject(functionsValue)) throw new TemplateError(`${src.at(['functions'])}: serverless.yml has no functions`);
  const functions: FunctionPlan[] = [];
  for (const key of Object.keys(functionsValue)) {
    const path: Path = ['functions', key];
    const fn = vars.at(path);
    if (!isObject(fn)) throw new TemplateError(`${src.at(path)}: function ${key} must be a map`);
    const fail = (k: string, message: string): never => {
      throw new TemplateError(`${src.at([...path, k])}: ${key}: ${message}`);
    };
    const runtime = fn.runtime ?? provider.runtime;
    if (typeof runtime !== 'string') fail('runtime', 'has no runtime (set provider.runtime or the function\'s runtime)');
    if (typeof fn.handler !== 'string') fail('handler', 'has no handler (e.g. handler.hello: the file handler.js or handler.py, export hello)');
    for (const k of Object.keys(fn)) {
      if (!FUNCTION_USED.has(k)) notes.add(key, k, src.at([...path, k]), NO_EFFECT.has(k) ? 'no effect locally' : 'not supported by lambkin');
    }
    const fpkg = isObject(fn.package) ? fn.package : {};
    const artifact = typeof fpkg.artifact === 'string' ? fpkg.artifact : isObject(pkg) && typeof pkg.artifact === 'string' ? pkg.artifact : undefined;
    const patterns = [...servicePatterns, ...(Array.isArray(fpkg.patterns) ? fpkg.patterns.map(String) : [])];
    const name = typeof fn.name === 'string' ? fn.name : `${service}-${stage}-${key}`;
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(name)) fail(fn.name === undefined ? 'handler' : 'name', `function name ${name} must be 1 to 64 letters, digits, - or _`);
    const arch = fn.architecture ?? provider.architecture;
    if (typeof arch === 'string' && arch !== hostArchitecture()) notes.add(key, 'architecture', src.at([...path, 'architecture']), `runs on this machine's architecture (${hostArchitecture()})`);
    const provisioned = checkNumber(fn.provisionedConcurrency, [...path, 'provisionedConcurrency'], src, 'provisionedConcurrency', 1, 100000);
    functions.push({
      logicalId: key, name, at: src.at(path), runtime: runtime as string, handler: fn.handler as string,
      runtimeAt: src.at(fn.runtime === undefined ? ['provider', 'runtime'] : [...path, 'runtime']),
      code: artifact ? { kind: 'path', path: abs(dir, artifact) } : { kind: 'path', path: dir, keep: patternFilter(patterns) },
      memory: checkNumber(fn.memorySize ?? provider.memorySize, [...path, 'memorySize'], src, 'memorySize', 128, 10240) ?? DEFAULT_MEMORY,
      timeout: checkNumber(fn.timeout ?? provider.timeout, [...path, 'timeout'], src, 'timeout', 1, 900) ?? DEFAULT_TIMEOUT,
      description: typeof fn.description === 'string' ? fn.description : '',
      env: { ...envMap(provider.environment, ['provider', 'environment'], src, 'provider'), ...envMap(fn.environment, [...path, 'environment'], src, key) },
      ephemeralStorage: checkNumber(fn.ephemeralStorageSize ?? provider.ephemeralStorageSize, [...path, 'ephemeralStorageSize'], src, 'ephemeralStorageSize', 512, 10240) ?? DEFAULT_EPHEMERAL,
      layers: layerUses(src, fn.layers ?? provider.layers, fn.layers === undefined ? ['provider', 'layers'] : [...path, 'layers'], layers),
      layersAt: src.at(fn.layers === undefined ? ['provider', 'layers'] : [...path, 'layers']),
      // Serverless puts provisioned concurrency on an alias named "provisioned".
      alias: provisioned === undefined ? undefined : 'provisioned',
      reservedConcurrency: checkNumber(fn.reservedConcurrency, [...path, 'reservedConcurrency'], src, 'reservedConcurrency', 0, 100000),
      provisionedConcurrency: provisioned,
      url: urlOf(src, key, fn, path, notes),
    });
  }
  checkUnique(src, functions);
  return { kind: 'Serverless', functions, layers, notes: notes.list, skipped: [] };
}

function abs(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolvePath(dir, p);
}

/** layers.<key> → logical id <Key>LambdaLayer (what `!Ref` names in functions' layers), named <key> unless `name` is set. */
function layerPlans(src: Source, vars: ServerlessVariables, dir: string, notes: Notes): LayerPlan[] {
  const all = vars.at(['layers']);
  if (all === undefined) return [];
  if (!isObject(all)) throw new TemplateError(`${src.at(['layers'])}: layers must be a map`);
  return Object.entries(all).map(([key, l]) => {
    const path = ['layers', key];
    if (!isObject(l) || typeof l.path !== 'string') throw new TemplateError(`${src.at(path)}: layer ${key} needs a path (its folder)`);
    for (const k of Object.keys(l)) {
      if (!['path', 'name', 'description', 'compatibleRuntimes', 'licenseInfo'].includes(k)) notes.add(`layers.${key}`, k, src.at([...path, k]), 'not supported by lambkin');
    }
    return {
      logicalId: `${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaLayer`, name: typeof l.name === 'string' ? l.name : key, at: src.at(path),
      code: { kind: 'path', path: abs(dir, l.path) },
      description: typeof l.description === 'string' ? l.description : undefined,
      runtimes: Array.isArray(l.compatibleRuntimes) ? l.compatibleRuntimes.map(String) : undefined,
      license: typeof l.licenseInfo === 'string' ? l.licenseInfo : undefined,
    };
  });
}

function layerUses(src: Source, v: Value | undefined, path: Path, layers: readonly LayerPlan[]): LayerUse[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TemplateError(`${src.at(path)}: layers must be a list of ARNs or { Ref: <Name>LambdaLayer }`);
  return v.map((item, i) => {
    if (typeof item === 'string') return { arn: item };
    const ref = isObject(item) ? item.Ref : undefined;
    if (typeof ref === 'string' && layers.some((l) => l.logicalId === ref)) return { logicalId: ref };
    throw new TemplateError(`${src.at([...path, i])}: layer ${JSON.stringify(item)}: not an ARN nor { Ref: <Name>LambdaLayer } of a layer in this file`);
  });
}

function urlOf(src: Source, key: string, fn: { [k: string]: Value }, path: Path, notes: Notes): FunctionPlan['url'] {
  let url: FunctionPlan['url'];
  const fromSetting = (v: Value | undefined): FunctionPlan['url'] => {
    if (v === undefined || v === false || v === null) return undefined;
    const auth = isObject(v) && v.authorizer === 'aws_iam' ? 'AWS_IAM' : 'NONE';
    const cors = isObject(v) && v.cors === true ? { AllowOrigins: ['*'] } : isObject(v) && isObject(v.cors) ? toCors(v.cors) : undefined;
    return { authType: auth, cors };
  };
  url = fromSetting(fn.url);
  const events = fn.events;
  if (Array.isArray(events)) {
    events.forEach((ev, i) => {
      const type = isObject(ev) ? Object.keys(ev)[0] ?? '?' : String(ev);
      const where = src.at([...path, 'events', i]);
      if (type === 'http' || type === 'httpApi') {
        url ??= { authType: 'NONE' };
        notes.add(key, `events[${i}].${type}`, where, 'served at the function URL (any method and path), no API Gateway routing');
      } else if (type === 'url') {
        url ??= fromSetting(isObject(ev) ? ev.url : true) ?? { authType: 'NONE' };
      } else {
        notes.add(key, `events[${i}].${type}`, where, `${type} event: not run locally (invoke it yourself)`);
      }
    });
  }
  return url;
}

function toCors(c: { [k: string]: Value }): { AllowOrigins?: string[]; AllowHeaders?: string[]; AllowMethods?: string[]; AllowCredentials?: boolean; MaxAge?: number } {
  const list = (v: Value | undefined) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : undefined);
  return {
    AllowOrigins: list(c.allowedOrigins) ?? ['*'], AllowHeaders: list(c.allowedHeaders), AllowMethods: list(c.allowedMethods),
    AllowCredentials: typeof c.allowCredentials === 'boolean' ? c.allowCredentials : undefined,
    MaxAge: typeof c.maxAge === 'number' ? c.maxAge : undefined,
  };
}
