// npm run bench:setup — install the peer the benchmark compares against (serverless@3 +
// serverless-offline@13, which need no login) into bench/peers/, a folder git ignores.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/server.js';

export const PEERS = join(ROOT, 'bench/peers');
export const peerInstalled = () => existsSync(join(PEERS, 'node_modules/serverless-offline/package.json'))
  && existsSync(join(PEERS, 'node_modules/serverless/bin/serverless.js'));

export function setupPeers() {
  if (peerInstalled()) return;
  console.error('bench: installing serverless@3 + serverless-offline@13 into bench/peers/ …');
  execFileSync('npm', ['install', '--prefix', PEERS, '--no-audit', '--no-fund', 'serverless@3', 'serverless-offline@13'], { stdio: 'inherit' });
}

if (import.meta.url === `file://${process.argv[1]}`) setupPeers();
