// `lambkin deploy <folder|zip|file>`: create the function, or update its code and settings.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { isApiError, type FunctionConfiguration, type FunctionSettings, type LambkinClient } from '../client/index.js';
import { clientFor } from './context.js';
import { formatSize, note, out, UsageError } from './output.js';
import { loadPackage, type CodePackage } from './package.js';
import { DEFAULT_HANDLER, guessRuntime, handlerModule, missingHandlerFile, runtimeFamily } from './runtime-guess.js';
import { makeWarm } from './warm.js';
import type { TemplateDeployOptions } from './deploy-template.js';

/** lambkin does not use IAM roles; Lambda's API requires one, so a fixed placeholder is sent. */
const PLACEHOLDER_ROLE = 'arn:aws:iam::000000000000:role/lambkin';

export interface DeployOptions {
  name?: string;
  runtime?: string;
  handler?: string;
  memory?: number;
  timeout?: number;
  env?: Record<string, string>;
  description?: string;
  /** --logs / --no-logs: switch capture of the function's output on or off (unset: leave as is). */
  logs?: boolean;
  /** --sanitize-errors / --no-sanitize-errors: callers see a generic error, the details go to the logs. */
  sanitizeErrors?: boolean;
  /** --single-use / --no-single-use: each environment serves one invocation, then is destroyed. */
  singleUse?: boolean;
  /** --record-payloads / --no-record-payloads: keep each invocation's event and response for the console. */
  recordPayloads?: boolean;
  /** --egress public|all|none and --egress-allow CIDR,…: where its environments may send packets. */
  egress?: 'public' | 'all' | 'none';
  egressAllow?: string[];
  /** --warm K: keep K environments of $LATEST initialised, and wait for them (unset: leave as is). */
  warm?: number;
  /** --layer ARN, repeatable: the function's layers, in order (replaces them). */
  layer?: string[];
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('upload a folder, .zip or single file as a function (creates it, or updates it)')
    .argument('[path]', 'folder, .zip file, or one source file (not with --template)')
    .option('-t, --template <file>', 'deploy the functions of an AWS SAM template (template.yaml) or a serverless.yml, all or none')
    .option('--parameter-overrides <KEY=VALUE...>', 'with --template: values for the template\'s Parameters')
    .option('--stage <stage>', 'with a serverless.yml: the stage (${opt:stage}; default provider.stage, else dev)')
    .option('--stack-name <name>', 'with a SAM template: AWS::StackName (default: the name of the template\'s folder)')
    .option('--region <region>', 'with --template: the region that AWS::Region and ARNs name (default LAMBKIN_REGION or us-east-1)')
    .option('-n, --name <name>', 'function name (default: the folder or file name)')
    .option('-r, --runtime <id>', 'runtime, e.g. python3.11, nodejs20.x (default: guessed from the files)')
    .option('--handler <file.method>', `handler (default on create: ${DEFAULT_HANDLER})`)
    .option('--memory <MB>', 'memory size in MB', integer)
    .option('--timeout <seconds>', 'timeout in seconds', integer)
    .option('-e, --env <KEY=VALUE>', 'environment variable, repeatable (replaces all of them)', collectEnv)
    .option('--description <text>', 'description')
    .option('--logs', 'keep the function\'s output in its log (the default; turns it back on)')
    .option('--no-logs', 'keep nothing the function prints (no visibility!); invocation records are still kept')
    .option('--sanitize-errors', 'callers of a failed invoke see only "Internal error. Request ID: …"; the full error goes to the logs')
    .option('--no-sanitize-errors', 'callers see the function\'s errors in full again (the default)')
    .option('--single-use', 'each environment serves one invocation and is destroyed: no state (memory, /tmp) survives from one invocation to the next; every invoke is a cold start')
    .option('--no-single-use', 'environments are reused between invocations again (the default)')
    .option('--record-payloads', 'keep each invocation\'s event and response (up to 64 KiB each) to show in the console')
    .option('--no-record-payloads', 'keep no events or responses (the default)')
    .option('--egress <mode>', 'where its environments may send packets: public (the default: the internet, no private, link-local or host addresses), all, none', egressMode)
    .option('--egress-allow <cidr,...>', 'IPv4 addresses or CIDRs reachable whatever --egress says (replaces the list; "" clears it)', cidrList)
    .option('--layer <arn>', 'a layer version ARN to merge at /opt, repeatable, in order (replaces the function\'s layers; "" removes them; `lambkin layer ls` lists them)', collectList)
    .option('--warm <K>', 'keep K environments initialised for invokes without a qualifier, and wait until they are (0: none)', integer)
    .action(async (path: string | undefined, opts: DeployOptions & TemplateDeployOptions & { template?: string }, cmd: Command) => {
      if (opts.template) {
        if (path) throw new UsageError('give either a path or --template FILE, not both');
        const { deployTemplate } = await import('./deploy-template.js');
        out(await deployTemplate(clientFor(cmd), opts.template, opts, note));
        return;
      }
      if (!path) throw new UsageError('nothing to deploy: give a folder, .zip or file, or --template template.yaml');
      out(await deployPath(clientFor(cmd), path, opts));
    });
}

function integer(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('not a whole number.');
  return Number(value);
}

function egressMode(value: string): 'public' | 'all' | 'none' {
  if (value !== 'public' && value !== 'all' && value !== 'none') throw new InvalidArgumentError('expected public, all or none.');
  return value;
}

function cidrList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Repeated values in order; `--layer ""` alone gives [] (removes the function's layers). */
function collectList(value: string, previous: string[] | undefined): string[] {
  return value.trim() ? [...(previous ?? []), value.trim()] : [...(previous ?? [])];
}

function collectEnv(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected KEY=VALUE.');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** examples/hello-node/ → hello-node; handler.zip → handler; with characters Lambda refuses dashed. */
export function nameFromPath(path: string): string {
  const base = basename(path.replace(/[/\\]+$/, '')).replace(/\.(zip|py|mjs|cjs|js|rb)$/i, '');
  return base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'function';
}

/** Deploys one package; returns the line to print. `say` gets the remarks on the way (guesses, warnings). */
export async function deployPath(
  client: LambkinClient,
  path: string,
  opts: DeployOptions,
  say: (line: string) => void = note,
): Promise<string> {
  const pkg = loadPackage(path);
  for (const w of pkg.warnings) say(`lambkin: ${w}`);
  const name = opts.name ?? nameFromPath(path);
  const existing = await getExisting(client, name);
  // One file deployed alone (app.py) is its own handler module: app.lambda_handler.
  const single = pkg.kind === 'file' ? `${handlerModule(pkg.names[0]!)}.lambda_handler` : undefined;
  const handler = opts.handler ?? existing?.Handler ?? single ?? DEFAULT_HANDLER;
  const runtime = chooseRuntime(pkg, handler, say, opts.runtime, existing?.Runtime);
  const warning = missingHandlerFile(pkg.names, handler, runtime ?? existing!.Runtime);
  if (warning) say(`lambkin: warning: ${warning}`);
  if (opts.logs === false) say(`lambkin: warning: logging is off for ${name}: no visibility into what it prints (invocation records are still kept)`);

  const settings: FunctionSettings = {
    Runtime: runtime,
    Handler: opts.handler,
    MemorySize: opts.memory,
    Timeout: opts.timeout,
    Description: opts.description,
    LambkinLogging: opts.logs,
    LambkinSanitizeErrors: opts.sanitizeErrors,
    LambkinSingleUse: opts.singleUse,
    LambkinRecordPayloads: opts.recordPayloads,
    // LambkinEgress replaces the policy as a whole: what is not given is kept from the function's.
    LambkinEgress: opts.egress === undefined && opts.egressAllow === undefined ? undefined : {
      Mode: opts.egress ?? existing?.LambkinEgress?.Mode, Allow: opts.egressAllow ?? existing?.LambkinEgress?.Allow,
    },
    Environment: opts.env && { Variables: opts.env },
    Layers: opts.layer,
  };
  let config: FunctionConfiguration | undefined;
  if (!existing) {
    try {
      config = await client.createFunction({
        FunctionName: name, ZipFile: pkg.zip, Role: PLACEHOLDER_ROLE, ...settings, Handler: handler,
      });
    } catch (err) {
      if (!isApiError(err, 'ResourceConflictException')) throw err;
      // Created by someone else since our GetFunction: update it instead.
    }
  }
  if (!config) {
    config = await client.updateFunctionCode(name, pkg.zip);
    if (Object.values(settings).some((v) => v !== undefined)) {
      config = await client.updateFunctionConfiguration(name, settings);
    }
  }
  // After the last update: each one re-initialises the warm environments.
  const warm = opts.warm === undefined ? '' : `, ${await makeWarm(client, name, opts.warm, say)}`;
  const sha = config.CodeSha256
    ? Buffer.from(config.CodeSha256, 'base64').toString('hex')
    : createHash('sha256').update(pkg.zip).digest('hex');
  return (
    `deployed ${name} (${config.Runtime}, ${formatSize(pkg.zip.length)}, sha256 ${sha.slice(0, 12)}${warm})` +
    ` — invoke: npx lambkin invoke ${name} --payload '{}'`
  );
}

async function getExisting(client: LambkinClient, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return (await client.getFunction(name)).Configuration;
  } catch (err) {
    if (isApiError(err, 'ResourceNotFoundException')) return undefined;
    throw err;
  }
}

/**
 * The runtime to send, or undefined to keep the existing one. An update keeps the function's
 * runtime (say nodejs22.x) unless the files plainly belong to another language.
 */
function chooseRuntime(
  pkg: CodePackage,
  handler: string,
  say: (line: string) => void,
  given?: string,
  current?: string,
): string | undefined {
  if (given) return given;
  const guess = guessRuntime(pkg.names, handler);
  if (current && (!guess || runtimeFamily(guess.runtime) === runtimeFamily(current))) return undefined;
  if (!guess) {
    throw new UsageError(
      `cannot guess the runtime: no .py, .js or .rb file and no bootstrap at the root of the package; pass --runtime (e.g. python3.11, nodejs20.x or ruby3.3)`,
    );
  }
  const was = current ? `, was ${current}` : '';
  say(`runtime: ${guess.runtime} (guessed from ${guess.because}${was}; --runtime to choose another)`);
  return guess.runtime;
}
