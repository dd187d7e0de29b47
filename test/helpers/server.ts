// Start a real lambkin server (the built CLI, `lambkin serve`) on a free port with a fresh data
// folder, and give tests the real AWS SDK clients pointed at it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { storeArgs } from './database.js';
import { SPREAD_NODES, startSpread } from './spread.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/lambkin.js');

export interface Lambkin {
  readonly url: string;
  readonly dataDir: string;
  readonly proc: ChildProcess;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM and wait for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no cleanup (for crash tests). */
  kill(): Promise<void>;
  /** In the spread runs: every node of the cluster standing in for the server (node-1 first); else absent. */
  readonly nodes?: readonly Lambkin[];
}

export interface StartOptions {
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Reuse a data folder (restart tests); otherwise a fresh temporary one. */
  readonly dataDir?: string;
  readonly keepDataDir?: boolean;
  /** The args name their own --database-url (a cluster's nodes): LAMBKIN_TEST_STORE adds none. */
  readonly ownDatabase?: boolean;
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function sdkClients(url: string): { lambda: LambdaClient; logs: CloudWatchLogsClient } {
  const common = { endpoint: url, region: 'us-east-1', credentials: CREDENTIALS };
  return { lambda: new LambdaClient({ ...common, maxAttempts: 1 }), logs: new CloudWatchLogsClient({ ...common, maxAttempts: 1 }) };
}

export async function startLambkin(opts: StartOptions = {}): Promise<Lambkin> {
  // The spread runs (LAMBKIN_TEST_CLUSTER): a cluster stands in for the server; a cluster test's own nodes stay single.
  if (SPREAD_NODES > 0 && !opts.ownDatabase) return startSpread(opts, startOne);
  return startOne(opts);
}

async function startOne(opts: StartOptions): Promise<Lambkin> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lambkin-test-'));
  const store = opts.ownDatabase ? [] : await storeArgs(dataDir); // LAMBKIN_TEST_STORE=postgres: PostgreSQL instead of SQLite
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, ...store, ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  const { lambda, logs } = sdkClients(url);
  const cleanup = () => {
    lambda.destroy();
    logs.destroy();
    if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    url, dataDir, proc, lambda, logs,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const code = await exited;
      cleanup();
      return code;
    },
    kill: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
      lambda.destroy();
      logs.destroy();
    },
  };
}
