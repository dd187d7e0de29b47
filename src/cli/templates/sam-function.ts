// One AWS::Serverless::Function or AWS::Lambda::Function, its properties resolved, as a
// FunctionPlan. Each property is either used, or listed in the notes (no effect here, or not
// supported): none is dropped without a word.
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { UrlCors } from '../../client/index.js';
import { TemplateError } from './errors.js';
import { NO_VALUE, type Resolver } from './intrinsics.js';
import { DEFAULT_EPHEMERAL, DEFAULT_MEMORY, DEFAULT_TIMEOUT, type CodeSource, type FunctionPlan, type LayerUse, type Notes } from './plan.js';
import { isObject, type Path, type Source, type Value } from './source.js';
import { checkNumber, envMap, hostArchitecture, inlineFileName, LAYER_TOKEN } from './values.js';

export interface FunctionContext {
  readonly src: Source;
  readonly resolver: Resolver;
  readonly notes: Notes;
  /** The template's folder: CodeUri and local Code paths are relative to it. */
  readonly dir: string;
}

/** Properties that change nothing on one machine (IAM, VPC, tracing, deployment): noted, not used. */
const NO_EFFECT: Readonly<Record<string, string>> = {
  Role: 'no IAM: functions run with no AWS role', Policies: 'no IAM', PermissionsBoundary: 'no IAM', RolePath: 'no IAM',
  AssumeRolePolicyDocument: 'no IAM', Tracing: 'no X-Ray', TracingConfig: 'no X-Ray', VpcConfig: 'no VPC: see --egress',
  KmsKeyArn: 'no KMS', DeadLetterQueue: 'no SQS/SNS dead-letter target', DeadLetterConfig: 'no SQS/SNS dead-letter target',
  DeploymentPreference: 'no CodeDeploy: the alias moves at once', Tags: 'not applied by a template deploy',
  CodeSigningConfigArn: 'no code signing', LoggingConfig: 'logs go to lambkin\'s log store', SnapStart: 'no SnapStart',
  RuntimeManagementConfig: 'runtimes are the server\'s', AutoPublishCodeSha256: 'versions are published when code or configuration changed',
  AutoPublishAliasAllProperties: 'versions are published when code or configuration changed', PropagateTags: 'not applied by a template deploy',
};

/** `ownRuntime`: Runtime is on the resource itself (not only in Globals), for the line of an error. */
export function functionPlan(id: string, type: string, props: { [k: string]: Value }, name: string, ctx: FunctionContext, ownRuntime: boolean): FunctionPlan {
  const { src, resolver, notes } = ctx;
  const base: Path = ['Resources', id, 'Properties'];
  const at = (k: string | number, ...more: (string | number)[]) => [...base, k, ...more];
  function fail(path: Path, message: string): never {
    throw new TemplateError(`${src.at(path)}: ${id}: ${message}`);
  }
  const get = (k: string): Value | undefined => resolver.value(props[k], at(k));
  const text = (k: string): string | undefined => {
    const v = get(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') fail(at(k), `${k} must be a string`);
    return String(v);
  };

  const sam = type === 'AWS::Serverless::Function';
  if (text('PackageType') === 'Image') fail(at('PackageType'), 'PackageType Image is not supported: lambkin runs zip packages (CodeUri: a folder)');
  const runtime = text('Runtime') ?? fail(['Resources', id], 'has no Runtime (set it on the function or in Globals.Function)');
  const handler = text('Handler') ?? fail(['Resources', id], 'has no Handler (e.g. app.handler)');
  const code = sam ? samCode(ctx, id, runtime, get('CodeUri'), get('InlineCode'), fail) : cfnCode(ctx, id, runtime, get('Code'), fail);
  const env = get('Environment');
  let variables: Record<string, string> = {};
  if (env !== undefined) {
    if (!isObject(env)) fail(at('Environment'), 'Environment must be a map with Variables');
    variables = envMap(env.Variables, at('Environment', 'Variables'), src, id);
  }
  const storage = get('EphemeralStorage');
  const archs = get('Architectures');
  if (Array.isArray(archs) && archs.some((a) => a !== hostArchitecture())) {
    notes.add(id, 'Architectures', src.at(at('Architectures')), `runs on this machine's architecture (${hostArchitecture()})`);
  }
  const alias = text('AutoPublishAlias');
  const provisioned = get('ProvisionedConcurrencyConfig');
  const pc = isObject(provisioned) ? provisioned.ProvisionedConcurrentExecutions : undefined;
  if (pc !== undefined && !alias) fail(at('ProvisionedConcurrencyConfig'), 'ProvisionedConcurrencyConfig needs AutoPublishAlias (provisioned concurrency is set on the alias)');

  const handled = new Set(['PackageType', 'Runtime', 'Handler', 'CodeUri', 'InlineCode', 'Code', 'Environment', 'EphemeralStorage', 'Architectures',
    'AutoPublishAlias', 'ProvisionedConcurrencyConfig', 'MemorySize', 'Timeout', 'Description', 'FunctionName', 'Layers',
    'ReservedConcurrentExecutions', 'Events', 'FunctionUrlConfig']);
  for (const k of Object.keys(props)) {
    if (handled.has(k)) continue;
    const why = NO_EFFECT[k];
    notes.add(id, k, src.at(at(k)), why ? `no effect locally (${why})` : 'not supported by lambkin');
  }
  return {
    logicalId: id, name, at: src.at(['Resources', id]), runtime, handler, code,
    runtimeAt: src.at(ownRuntime ? at('Runtime') : ['Globals', 'Function', 'Runtime']),
    memory: checkNumber(get('MemorySize'), at('MemorySize'), src, 'MemorySize', 128, 10240) ?? DEFAULT_MEMORY,
    timeout: checkNumber(get('Timeout'), at('Timeout'), src, 'Timeout', 1, 900) ?? DEFAULT_TIMEOUT,
    description: text('Description') ?? '',
    env: variables,
    ephemeralStorage: checkNumber(isObject(storage) ? storage.Size : undefined, at('EphemeralStorage', 'Size'), src, 'EphemeralStorage.Size', 512, 10240) ?? DEFAULT_EPHEMERAL,
    layers: layerUses(get('Layers'), at('Layers'), src, id),
    layersAt: src.at(props.Layers === undefined ? ['Globals', 'Function', 'Layers'] : at('Layers')),
    alias,
    reservedConcurrency: checkNumber(get('ReservedConcurrentExecutions'), at('ReservedConcurrentExecutions'), src, 'ReservedConcurrentExecutions', 0, 100000),
    provisionedConcurrency: checkNumber(pc, at('ProvisionedConcurrencyConfig', 'ProvisionedConcurrentExecutions'), src, 'ProvisionedConcurrentExecutions', 1, 100000),
    url: urlOf(ctx, id, get('FunctionUrlConfig'), props.Events, at),
  };
}

type Fail = (path: Path, message: string) => never;

function samCode(ctx: FunctionContext, id: string, runtime: string, uri: Value | undefined, inline: Value | undefined, fail: Fail): CodeSource {
  const at = (k: string): Path => ['Resources', id, 'Properties', k];
  if (inline !== undefined) {
    if (typeof inline !== 'string') fail(at('InlineCode'), 'InlineCode must be a string');
    return { kind: 'inline', fileName: inlineFileName(runtime) ?? fail(at('InlineCode'), `InlineCode is not possible for runtime ${runtime}`), text: inline as string };
  }
  if (uri === undefined) return fail(['Resources', id], 'has neither CodeUri nor InlineCode (set CodeUri to the code\'s folder)');
  return localPath(ctx, uri, at('CodeUri'), 'CodeUri', fail);
}

function cfnCode(ctx: FunctionContext, id: string, runtime: string, code: Value | undefined, fail: Fail): CodeSource {
  const at: Path = ['Resources', id, 'Properties', 'Code'];
  if (code === undefined) return fail(['Resources', id], 'has no Code');
  if (isObject(code) && typeof code.ZipFile === 'string') {
    return { kind: 'inline', fileName: inlineFileName(runtime) ?? fail(at, `Code.ZipFile is not possible for runtime ${runtime}`), text: code.ZipFile };
  }
  return localPath(ctx, code, at, 'Code', fail);
}

function localPath(ctx: FunctionContext, v: Value, path: Path, what: string, fail: Fail): CodeSource {
  if (typeof v !== 'string') return fail(path, `${what} from S3 cannot be fetched by lambkin: point it at a local folder or .zip`);
  if (/^s3:\/\//i.test(v)) return fail(path, `${what} ${v}: S3 locations cannot be fetched by lambkin: point it at a local folder or .zip`);
  return { kind: 'path', path: isAbsolute(v) ? v : resolvePath(ctx.dir, v) };
}

function layerUses(v: Value | undefined, path: Path, src: Source, id: string): LayerUse[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TemplateError(`${src.at(path)}: ${id}: Layers must be a list`);
  return v.map((item, i) => {
    if (typeof item !== 'string') throw new TemplateError(`${src.at([...path, i])}: ${id}: each layer must be an ARN or a !Ref to a layer`);
    return item.startsWith(LAYER_TOKEN) ? { logicalId: item.slice(LAYER_TOKEN.length) } : { arn: item };
  });
}

function urlOf(ctx: FunctionContext, id: string, config: Value | undefined, events: Value | undefined, at: (...k: (string | number)[]) => Path): FunctionPlan['url'] {
  const { src, notes, resolver } = ctx;
  let url: FunctionPlan['url'];
  if (isObject(config)) {
    const auth = config.AuthType === 'AWS_IAM' ? 'AWS_IAM' : 'NONE';
    url = { authType: auth, cors: isObject(config.Cors) ? (config.Cors as UrlCors) : undefined };
    if (config.InvokeMode === 'RESPONSE_STREAM') notes.add(id, 'FunctionUrlConfig.InvokeMode', src.at(at('FunctionUrlConfig', 'InvokeMode')), 'served BUFFERED');
  }
  if (isObject(events)) {
    for (const [name, raw] of Object.entries(events)) {
      const ev = resolver.resolve(raw, at('Events', name));
      const type = ev !== NO_VALUE && isObject(ev) ? String(ev.Type) : '?';
      const where = src.at(at('Events', name));
      if (type === 'Api' || type === 'HttpApi') {
        url ??= { authType: 'NONE' };
        notes.add(id, `Events.${name}`, where, `${type}: served at the function URL (any method and path), no API Gateway routing`);
      } else {
        notes.add(id, `Events.${name}`, where, `${type} event: not run locally (invoke it yourself)`);
      }
    }
  }
  return url;
}
