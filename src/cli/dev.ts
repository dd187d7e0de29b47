// `lambkin dev [folder | --template FILE]`: deploy, then redeploy on every save (dev/session.ts),
// starting a server first when none runs. Runs until Ctrl-C (or SIGTERM), then stops what it started.
import { InvalidArgumentError, type Command } from 'commander';
import { clientFor } from './context.js';
import { ensureServer } from './dev/server.js';
import { DevSession, type DevOptions } from './dev/session.js';
import { DebugKeeper } from './dev/debug.js';
import { note, out, UsageError } from './output.js';
import { LambkinClient } from '../client/index.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('deploy a folder or a template, then redeploy each function when its files change (until Ctrl-C)')
    .argument('[folder]', 'the function\'s folder (not with --template)')
    .option('-t, --template <file>', 'an AWS SAM template or a serverless.yml: watch every function\'s folder and the template')
    .option('-n, --name <name>', 'with a folder: the function\'s name (default: the folder\'s)')
    .option('-r, --runtime <id>', 'with a folder: the runtime (default: guessed from the files)')
    .option('--handler <file.method>', 'with a folder: the handler')
    .option('--parameter-overrides <KEY=VALUE...>', 'with --template: values for the template\'s Parameters')
    .option('--stage <stage>', 'with a serverless.yml: the stage')
    .option('--stack-name <name>', 'with a SAM template: AWS::StackName')
    .option('--region <region>', 'with --template: the region ARNs name')
    .option('--debug <function>', "keep the function's next environment started with its runtime's debugger on 127.0.0.1 (Node.js inspector 9229, Python debugpy 5678, Java JDWP 5005), a new one after each debugged invocation and each redeploy")
    .option('--tail', 'print each invocation\'s log lines under it')
    .option('--quiet <ms>', 'wait for this long without a change before redeploying (default 30)', (v: string) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('not a whole number.');
      return Number(v);
    })
    .action(async (folder: string | undefined, opts: DevOptions & { template?: string; debug?: string }, cmd: Command) => {
      if (!folder === !opts.template) throw new UsageError('give a folder or --template FILE (one of them)');
      let client = clientFor(cmd);
      const named = Boolean(cmd.optsWithGlobals<{ endpoint?: string }>().endpoint);
      const server = await ensureServer(client, named, note);
      if (server) client = new LambkinClient({ endpoint: server.url });
      const session = new DevSession(client, { folder, template: opts.template }, opts, out);
      try {
        await session.start();
      } catch (err) {
        await server?.stop();
        throw err;
      }
      const debug = opts.debug ? new DebugKeeper(client, opts.debug, out) : undefined;
      await debug?.start();
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      debug?.stop();
      session.close();
      await server?.stop();
    });
}
