// The command tree: global options and one register function per command file. A command's file
// (and what it imports: fflate for deploy, the server for serve) is loaded only when that command
// runs, so that a short command such as `lambkin logs fn --request-id …` starts fast. Help and
// unknown commands load them all, to list each with its arguments.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { reportFailure } from './fail.js';

type Register = (program: Command) => void;

interface CommandEntry {
  /** The command's name and its aliases. */
  readonly names: readonly string[];
  readonly load: () => Promise<Register>;
}

/** In the order `lambkin --help` lists them. */
const COMMANDS: readonly CommandEntry[] = [
  { names: ['serve'], load: async () => (await import('./serve.js')).registerServe },
  { names: ['init-credentials'], load: async () => (await import('./init-credentials.js')).registerInitCredentials },
  { names: ['deploy'], load: async () => (await import('./deploy.js')).registerDeploy },
  { names: ['dev'], load: async () => (await import('./dev.js')).registerDev },
  { names: ['invoke'], load: async () => (await import('./invoke.js')).registerInvoke },
  { names: ['ls', 'list'], load: async () => (await import('./ls.js')).registerLs },
  { names: ['rm', 'delete'], load: async () => (await import('./rm.js')).registerRm },
  { names: ['runtimes'], load: async () => (await import('./runtimes.js')).registerRuntimes },
  { names: ['logs'], load: async () => (await import('./logs.js')).registerLogs },
  { names: ['query'], load: async () => (await import('./query.js')).registerQuery },
  { names: ['nodes'], load: async () => (await import('./nodes.js')).registerNodes },
  { names: ['envs', 'environments'], load: async () => (await import('./envs.js')).registerEnvs },
  { names: ['stats'], load: async () => (await import('./stats.js')).registerStats },
  { names: ['layer'], load: async () => (await import('./layer.js')).registerLayer },
  { names: ['dlq'], load: async () => (await import('./dlq.js')).registerDlq },
  { names: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctor },
];

function version(): string {
  try {
    // src/cli and dist/cli both sit two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The command `argv` runs (`help <command>` counts as that command), or undefined when there is
 * none to be sure of — no command, an option before it that is not --endpoint, an unknown word.
 */
export function commandOf(argv: readonly string[]): CommandEntry | undefined {
  const words: string[] = [];
  for (let i = 2; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === '--endpoint') i++;
    else if (arg.startsWith('--endpoint=')) continue;
    else if (arg.startsWith('-')) break;
    else words.push(arg);
    if (words[0] !== undefined && words[0] !== 'help') break;
  }
  const word = words[0] === 'help' ? words[1] : words[0];
  return word === undefined ? undefined : COMMANDS.find((c) => c.names.includes(word));
}

/** The program with the command `argv` runs, or with every command when that is not clear. */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
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
  const one = commandOf(argv);
  const registers = await Promise.all((one ? [one] : COMMANDS).map((c) => c.load()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI; sets process.exitCode rather than exiting, so piped output is flushed whole. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await (await buildProgram(argv)).parseAsync([...argv]);
  } catch (err) {
    reportFailure(err);
  }
}
