// The command tree: global options and one register function per command file.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { registerDeploy } from './deploy.js';
import { reportFailure } from './fail.js';
import { registerInvoke } from './invoke.js';
import { registerLs } from './ls.js';
import { registerLogs } from './logs.js';
import { registerStats } from './stats.js';
import { registerDlq } from './dlq.js';
import { registerRm } from './rm.js';
import { registerRuntimes } from './runtimes.js';
import { registerServe } from './serve.js';
import { registerInitCredentials } from './init-credentials.js';

function version(): string {
  try {
    // src/cli and dist/cli both sit two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command('lambkin')
    .description('self-hosted functions with AWS Lambda\'s programming model')
    .version(version())
    .addOption(
      new Option('--endpoint <url>', 'server URL (default http://127.0.0.1:9000, or from LAMBKIN_HOST/LAMBKIN_PORT)')
        .env('LAMBKIN_ENDPOINT'),
    )
    // Before any .command(): subcommands inherit these. Usage errors then exit 2, not 1 (1 = function error).
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  registerServe(program);
  registerInitCredentials(program);
  registerDeploy(program);
  registerInvoke(program);
  registerLs(program);
  registerRm(program);
  registerRuntimes(program);
  registerLogs(program);
  registerStats(program);
  registerDlq(program);
  return program;
}

/** Runs the CLI; sets process.exitCode rather than exiting, so piped output is flushed whole. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    reportFailure(err);
  }
}
