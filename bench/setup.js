// npm run bench:setup — install the peer the benchmark compares against (serverless@3 +
// serverless-offline@13, which need no login) into bench/peers/, a folder git ignores.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/server.js';

export const PEERS = join(ROOT, 'bench/peers');
export const peerInstalled = () => existsSync(join(PEERS, 'node_modules/serverless-offline/package.json'))
  && existsSync(join(PEERS, 'node_modules/serverless/bin/serverless.js'));

// The exact tree the benchmark was measured with (bench/peer-lock/): a fresh `npm install` resolves
// the newest @aws-sdk/* releases, which need versions of their own dependencies that the package
// mirror here does not have yet (ETARGET), and would measure a different peer anyway.
const LOCK = join(ROOT, 'bench/peer-lock');

export function setupPeers() {
  if (peerInstalled()) return;
  console.error('bench: installing serverless@3 + serverless-offline@13 (bench/peer-lock) into bench/peers/ …');
  mkdirSync(PEERS, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(LOCK, f), join(PEERS, f));
  execFileSync('npm', ['ci', '--prefix', PEERS, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

if (import.meta.url === `file://${process.argv[1]}`) setupPeers();
