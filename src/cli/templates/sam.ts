// An AWS SAM (or plain CloudFormation) template as a Plan: Parameters and --parameter-overrides,
// Conditions, Mappings, Globals.Function merged into each function as SAM merges it, then each
// resource — functions and layers deployed, everything else listed as not deployed.
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { TemplateError } from './errors.js';
import { Resolver, type ResourceRef } from './intrinsics.js';
import { resolveParameters } from './parameters.js';
import { Notes, type FunctionPlan, type LayerPlan, type Plan } from './plan.js';
import { functionPlan } from './sam-function.js';
import { isObject, type Source, type Value } from './source.js';
import { LAYER_TOKEN } from './values.js';

export interface TemplateOptions {
  readonly parameters: Readonly<Record<string, string>>;
  readonly region: string;
  readonly stage?: string;
  /** AWS::StackName: --stack-name, else the name of the template's folder. */
  readonly stackName?: string;
  readonly env: NodeJS.ProcessEnv;
}

export const ACCOUNT_ID = '000000000000';
const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
const LAYER_TYPES = new Set(['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion']);
const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

export function samPlan(src: Source, opts: TemplateOptions): Plan {
  const root = src.root as { [k: string]: Value };
  const notes = new Notes();
  const resources = root.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) throw new TemplateError(`${src.at(['Resources'])}: the template has no Resources`);
  const stack = opts.stackName ?? (basename(dirname(resolvePath(src.file))) || 'lambkin');
  const pseudo: Record<string, Value> = {
    'AWS::Region': opts.region, 'AWS::AccountId': ACCOUNT_ID, 'AWS::StackName': stack, 'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com', 'AWS::NotificationARNs': [],
    'AWS::StackId': `arn:aws:cloudformation:${opts.region}:${ACCOUNT_ID}:stack/${stack}/lambkin`,
  };
  const parameters = resolveParameters(src, root.Parameters, opts.parameters);
  const refs = new Map<string, ResourceRef>();
  const base = { src, parameters, pseudo, mappings: root.Mappings, conditions: root.Conditions };
  // Names first (FunctionName may use parameters), with no resources known yet.
  const early = new Resolver({ ...base, resources: refs });
  const globals = isObject(root.Globals) ? root.Globals : {};
  for (const section of Object.keys(globals)) {
    if (section !== 'Function') notes.add(`Globals.${section}`, '', src.at(['Globals', section]), 'not used: lambkin deploys functions and layers only');
  }
  const fnGlobals = isObject(globals.Function) ? globals.Function : {};
  const skipped: string[] = [];
  const kept: [string, string, { [k: string]: Value }, boolean][] = [];
  for (const [id, raw] of Object.entries(resources)) {
    if (!isObject(raw) || typeof raw.Type !== 'string') throw new TemplateError(`${src.at(['Resources', id])}: resource ${id} has no Type`);
    const type = raw.Type;
    if (typeof raw.Condition === 'string' && !early.condition(raw.Condition, ['Resources', id, 'Condition'])) {
      skipped.push(`${id} (condition ${raw.Condition} is false)`);
      continue;
    }
    let props = isObject(raw.Properties) ? raw.Properties : {};
    const ownRuntime = props.Runtime !== undefined;
    if (type === 'AWS::Serverless::Function') props = mergeGlobals(fnGlobals, props) as { [k: string]: Value };
    const nameKey = FUNCTION_TYPES.has(type) ? 'FunctionName' : LAYER_TYPES.has(type) ? 'LayerName' : undefined;
    let name = id;
    if (nameKey && props[nameKey] !== undefined) {
      const given = early.value(props[nameKey], ['Resources', id, 'Properties', nameKey]);
      if (typeof given !== 'string' || !NAME.test(given)) {
        throw new TemplateError(`${src.at(['Resources', id, 'Properties', nameKey])}: ${id}: ${nameKey} must be 1 to 64 letters, digits, - or _`);
      }
      name = given;
    } else if (nameKey && !NAME.test(id)) {
      throw new TemplateError(`${src.at(['Resources', id])}: ${id}: the logical id is used as the name and must be at most 64 characters`);
    }
    if (FUNCTION_TYPES.has(type)) {
      const arn = `arn:aws:lambda:${opts.region}:${ACCOUNT_ID}:function:${name}`;
      refs.set(id, { type, ref: name, attributes: { Arn: arn } });
      kept.push([id, type, props, ownRuntime]);
    } else if (LAYER_TYPES.has(type)) {
      refs.set(id, { type, ref: LAYER_TOKEN + id, attributes: {} });
      kept.push([id, type, props, false]);
    } else {
      refs.set(id, { type, ref: id, attributes: {} });
      notes.add(id, '', src.at(['Resources', id]), `${type}: not deployed (lambkin deploys functions and layers)`);
    }
  }
  const resolver = new Resolver({ ...base, resources: refs });
  const ctx = { src, resolver, notes, dir: dirname(resolvePath(src.file)) };
  const functions: FunctionPlan[] = [];
  const layers: LayerPlan[] = [];
  for (const [id, type, props, ownRuntime] of kept) {
    const name = refs.get(id)!.ref;
    if (FUNCTION_TYPES.has(type)) functions.push(functionPlan(id, type, props, name, ctx, ownRuntime));
    else layers.push(layerPlan(id, type, props, ctx));
  }
  const transforms = Array.isArray(root.Transform) ? root.Transform : root.Transform === undefined ? [] : [root.Transform];
  for (const t of transforms) {
    if (t !== 'AWS::Serverless-2016-10-31') notes.add('Transform', typeof t === 'string' ? t : JSON.stringify(t), src.at(['Transform']), 'not applied: lambkin reads SAM (AWS::Serverless-2016-10-31) only');
  }
  for (const k of Object.keys(root)) {
    if (!['AWSTemplateFormatVersion', 'Transform', 'Description', 'Parameters', 'Conditions', 'Mappings', 'Globals', 'Resources', 'Metadata'].includes(k)) {
      notes.add(k, '', src.at([k]), 'not used by lambkin');
    }
  }
  checkUnique(src, functions);
  return { kind: 'SAM', functions, layers, notes: notes.list, skipped };
}

/** SAM's merge: the function's scalars win, maps merge key by key, lists are appended. */
function mergeGlobals(global: Value, own: Value): Value {
  if (own === undefined) return global;
  const intrinsic = (v: Value) => isObject(v) && Object.keys(v).length === 1 && /^(Ref|Fn::)/.test(Object.keys(v)[0]!);
  if (Array.isArray(global) && Array.isArray(own)) return [...global, ...own];
  if (isObject(global) && isObject(own) && !intrinsic(global) && !intrinsic(own)) {
    const out: { [k: string]: Value } = { ...global };
    for (const [k, v] of Object.entries(own)) out[k] = k in global ? mergeGlobals(global[k]!, v) : v;
    return out;
  }
  return own;
}

function layerPlan(id: string, type: string, props: { [k: string]: Value }, ctx: { src: Source; resolver: Resolver; notes: Notes; dir: string }): LayerPlan {
  const { src, resolver, notes } = ctx;
  const at = (k: string) => ['Resources', id, 'Properties', k];
  const key = type === 'AWS::Serverless::LayerVersion' ? 'ContentUri' : 'Content';
  const content = resolver.value(props[key], at(key));
  if (typeof content !== 'string' || /^s3:\/\//i.test(content)) {
    throw new TemplateError(`${src.at(at(key))}: ${id}: ${key} must be a local folder or .zip (S3 cannot be fetched by lambkin)`);
  }
  const runtimes = resolver.value(props.CompatibleRuntimes, at('CompatibleRuntimes'));
  const description = resolver.value(props.Description, at('Description'));
  const license = resolver.value(props.LicenseInfo, at('LicenseInfo'));
  for (const k of Object.keys(props)) {
    if (![key, 'CompatibleRuntimes', 'Description', 'LicenseInfo', 'LayerName'].includes(k)) notes.add(id, k, src.at(at(k)), 'not supported by lambkin');
  }
  return {
    logicalId: id, name: (resolver.value(props.LayerName, at('LayerName')) as string | undefined) ?? id, at: src.at(['Resources', id]),
    code: { kind: 'path', path: resolvePath(ctx.dir, content) },
    description: typeof description === 'string' ? description : undefined,
    runtimes: Array.isArray(runtimes) ? runtimes.map(String) : undefined,
    license: typeof license === 'string' ? license : undefined,
  };
}

export function checkUnique(src: Source, functions: readonly FunctionPlan[]): void {
  const seen = new Map<string, FunctionPlan>();
  for (const f of functions) {
    const other = seen.get(f.name);
    if (other) throw new TemplateError(`${f.at}: ${f.logicalId}: function name ${f.name} is also used by ${other.logicalId} (${other.at})`);
    seen.set(f.name, f);
  }
  if (functions.length === 0) throw new TemplateError(`${src.file}: the template has no functions to deploy`);
}
