// `lambkin serve`: start the server in this process and keep it up until SIGINT/SIGTERM, then stop
// every environment and leave no process and no scratch folder behind.
import type { Command } from 'commander';
import type { ServerFlags } from '../config.js';
import { UsageError } from './output.js';
import { deployExamples } from './examples.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the lambkin server (Lambda API, Runtime API per environment)')
    .option('--host <host>', 'address to listen on (env LAMBKIN_HOST)', undefined)
    .option('--port <port>', 'port to listen on, 0 = any free one (env LAMBKIN_PORT)')
    .option('--data-dir <dir>', 'where functions, code and logs are kept (env LAMBKIN_DATA_DIR)')
    .option('--idle-timeout <seconds>', 'stop an environment idle this long, 1-3600 (env LAMBKIN_IDLE_TIMEOUT)')
    .option('--max-concurrency <n>', 'environments running at once, server-wide (env LAMBKIN_MAX_CONCURRENCY)')
    .option('--memory-budget <MB>', 'MemorySize of all environments together, idle ones included; over it the least recently used idle ones stop, then invokes are throttled (env LAMBKIN_MEMORY_BUDGET; default 75 % of RAM)')
    .option('--init-timeout <seconds>', 'longest a runtime may take to initialise (env LAMBKIN_INIT_TIMEOUT)')
    .option('--sandbox <backend>', 'namespace (bubblewrap; the default where it works) or process (env LAMBKIN_SANDBOX)')
    .option('--network <mode>', 'under namespace: isolated (default), none or host (env LAMBKIN_NETWORK)')
    .option('--log-sweep-interval <seconds>', 'how often log retention is enforced, 1-86400 (env LAMBKIN_LOG_SWEEP_INTERVAL)')
    .option('--async-retry-delays <ms,ms>', 'delays before the 1st and 2nd retry of a failed Event invocation (env LAMBKIN_ASYNC_RETRY_DELAYS_MS; default 60000,120000)')
    .option('--async-concurrency <n>', 'Event invocations of one function running at once (env LAMBKIN_ASYNC_CONCURRENCY; default 8)')
    .option('--dead-letter-limit <n>', 'dead letters kept per function; past it the oldest go (env LAMBKIN_DEAD_LETTER_LIMIT; default 10000)')
    .option('--code-storage-limit <size>', 'total size of stored code zips, every version counted, e.g. 75G (env LAMBKIN_CODE_STORAGE_LIMIT; default 75G, as Lambda)')
    .option('--max-connections <n>', 'open connections to the API port at most; idle ones are closed first near it (env LAMBKIN_MAX_CONNECTIONS; default 2048)')
    .option('--max-request-buffer <MB>', 'request bodies held in memory at once, server-wide, in MB (env LAMBKIN_MAX_REQUEST_BUFFER_MB; default 256)')
    .option('--database-url <url>', 'keep functions in PostgreSQL, postgres://user:password@host:5432/db (env LAMBKIN_DATABASE_URL; default: SQLite in the data folder)')
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
