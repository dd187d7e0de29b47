// `lambkin serve`: start the server in this process and keep it up until SIGINT/SIGTERM, then stop
// every environment and leave no process and no scratch folder behind.
import type { Command } from 'commander';
import type { ServerFlags } from '../config.js';
import { defaultText, SETTINGS, type Setting } from '../settings.js';
import { UsageError } from './output.js';
import { deployExamples } from './examples.js';

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('start the lambkin server (Lambda API, Runtime API per environment)');
  // One option per setting that has a flag, from the one table (src/settings.ts).
  for (const s of Object.values(SETTINGS) as Setting[]) {
    if (s.flag) serve.option(s.flag, `${s.help} (env ${s.env}; default ${defaultText(s).replaceAll('`', '')})`);
  }
  serve
    .option('--deploy-examples', 'deploy the functions under examples/ once listening (npm start does)')
    .action(async (flags: ServerFlags & { deployExamples?: boolean }) => {
      // Imported here so that other commands don't pay for loading the server, and both at run
      // time: the bundled CLI (scripts/build-cli.js) leaves them out, so that the ConfigError the
      // server throws is the very class checked below.
      const [{ startServer }, { ConfigError, resolveConfig }] = await Promise.all([import('../api/server.js'), import('../config.js')]);
      let config;
      try {
        config = resolveConfig(flags);
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(err.message);
        throw err;
      }
      let server;
      try {
        server = await startServer(config);
      } catch (err) {
        // Refused at start (no sandbox as asked, no credentials for a public address): say why.
        if (err instanceof ConfigError) throw new UsageError(err.message);
        throw err;
      }
      const where = config.databaseUrl ? `${config.dataDir}, functions in ${config.databaseUrl.redacted}` : config.dataDir;
      process.stdout.write(`lambkin listening on ${server.url} (data in ${where})\n`);
      process.stdout.write(`lambkin: web console at ${server.url}/console/\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`lambkin: ${signal}: stopping every environment…\n`);
        server.close().then(() => process.exit(0), (err: unknown) => {
          process.stderr.write(`lambkin: shutdown failed: ${String(err)}\n`);
          process.exit(1);
        });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      if (flags.deployExamples) await deployExamples(server.url);
      // Counted from this process's start (npm start's own: scripts/start.js runs serve in-process).
      const ready = `ready in ${(performance.now() / 1000).toFixed(2)} s`;
      if (flags.deployExamples) {
        const endpoint = server.url === 'http://127.0.0.1:9000' ? '' : ` --endpoint ${server.url}`;
        process.stdout.write(`\n${ready} — try:  npx lambkin${endpoint} invoke hello-python --payload '{"name": "Ada"}'\n(Ctrl-C stops the server and every environment)\n`);
      } else {
        process.stdout.write(`lambkin: ${ready}\n`);
      }
    });
}
