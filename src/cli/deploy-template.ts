// `lambkin deploy --template FILE`: an AWS SAM / CloudFormation template or a serverless.yml,
// read and resolved here (templates/), every package built, the runtimes checked against the
// server's, then deployed as one step (templates/apply.ts), and a short report printed.
import type { LambkinClient } from '../client/index.js';
import { regionFrom } from '../settings.js';
import { formatSize, paint, table } from './output.js';
import { applyPlan, LAYERS_UNSUPPORTED, type ApplyResult } from './templates/apply.js';
import { buildPackages } from './templates/build.js';
import { TemplateError } from './templates/errors.js';
import type { Note, Plan } from './templates/plan.js';
import { samPlan, type TemplateOptions } from './templates/sam.js';
import { serverlessPlan } from './templates/serverless.js';
import { isObject, readSource, type Source } from './templates/source.js';

export interface TemplateDeployOptions {
  readonly parameterOverrides?: readonly string[];
  readonly stage?: string;
  readonly region?: string;
  readonly stackName?: string;
}

/** K=V, and SAM's ParameterKey=K,ParameterValue=V. */
export function parseOverrides(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const sam = /^ParameterKey=([^,]+),ParameterValue=(.*)$/s.exec(item);
    const eq = item.indexOf('=');
    if (sam) out[sam[1]!] = sam[2]!;
    else if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else throw new TemplateError(`--parameter-overrides ${item}: expected KEY=VALUE`);
  }
  return out;
}

export function readPlan(file: string, opts: TemplateDeployOptions, env: NodeJS.ProcessEnv = process.env): { src: Source; plan: Plan } {
  const src = readSource(file);
  const root = src.root;
  if (!isObject(root)) throw new TemplateError(`${file}:1: a template is a map (Resources: … or service: …)`);
  const options: TemplateOptions = {
    parameters: parseOverrides(opts.parameterOverrides ?? []),
    region: opts.region ?? regionFrom(env),
    stage: opts.stage,
    stackName: opts.stackName,
    env,
  };
  if ('Resources' in root || 'AWSTemplateFormatVersion' in root || 'Transform' in root) return { src, plan: samPlan(src, options) };
  if ('service' in root) return { src, plan: serverlessPlan(src, options) };
  throw new TemplateError(`${file}:1: neither a SAM / CloudFormation template (Resources:) nor a serverless.yml (service:)`);
}

async function checkRuntimes(client: LambkinClient, plan: Plan): Promise<void> {
  const runtimes = await client.listRuntimes();
  for (const fn of plan.functions) {
    const known = runtimes.find((r) => r.ids.includes(fn.runtime));
    if (!known) {
      const ids = runtimes.filter((r) => r.status === 'installed').flatMap((r) => r.ids);
      throw new TemplateError(`${fn.runtimeAt}: Runtime '${fn.runtime}' is not supported (this server runs: ${ids.join(', ')})`);
    }
    if (known.status !== 'installed') throw new TemplateError(`${fn.runtimeAt}: Runtime '${fn.runtime}' is not available on this server: ${known.hint ?? known.status}`);
  }
}

export async function deployTemplate(client: LambkinClient, file: string, opts: TemplateDeployOptions, say: (line: string) => void): Promise<string> {
  const { plan } = readPlan(file, opts);
  const built = buildPackages(plan);
  for (const w of built.warnings) say(`lambkin: ${w}`);
  await checkRuntimes(client, plan);
  const result = await applyPlan(client, plan, built);
  return report(file, plan, result);
}

function report(file: string, plan: Plan, result: ApplyResult): string {
  const p = paint(process.stdout);
  const rows = result.functions.map((d) => [
    d.plan.logicalId, d.plan.name, d.action, d.config.Runtime, formatSize(d.size),
    d.version ? `${d.plan.alias} → ${d.version}` : '', d.url ?? '',
  ]);
  let text = `deployed ${result.functions.length} function(s) from ${file} (${plan.kind}):\n`;
  text += table(['RESOURCE', 'FUNCTION', 'ACTION', 'RUNTIME', 'SIZE', 'ALIAS', 'URL'], rows, p);
  for (const s of plan.skipped) text += `skipped ${s}\n`;
  const notes: Note[] = [...plan.notes];
  if (!result.layersSupported) {
    for (const l of plan.layers) notes.push({ subject: l.logicalId, field: '', at: l.at, note: LAYERS_UNSUPPORTED });
    for (const f of plan.functions) if (f.layers.length > 0) notes.push({ subject: f.logicalId, field: 'Layers', at: f.layersAt, note: LAYERS_UNSUPPORTED });
  }
  if (notes.length > 0) {
    text += `\nnot supported or not run locally (${notes.length}):\n`;
    text += table(['WHERE', 'RESOURCE', 'FIELD', 'NOTE'], notes.map((n) => [n.at, n.subject, n.field, n.note]), p);
  }
  const first = result.functions[0];
  if (first) text += `\ninvoke: npx lambkin invoke ${first.plan.name} --payload '{}'\n`;
  return text;
}
