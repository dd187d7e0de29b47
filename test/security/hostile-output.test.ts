// A handler that writes 1 GB to stdout. The log store has its own flood limits (another suite tests
// what is kept); this one checks only that the platform survives it: the invocation ends, the
// server did not buffer the flood, and the next invoke works.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Lambkin } from '../helpers/server.js';
import { call, deploy, stillServes, withBystanderServer } from './hostile.js';

const FLOOD = `
exports.lambda_handler = async (event) => {
  const line = Buffer.alloc(1 << 20, 'x');
  line[line.length - 1] = 10;
  for (let i = 0; i < event.mb; i++) {
    if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
  }
  return { wrote: event.mb };
};`;

let lk: Lambkin;

withBystanderServer((server) => (lk = server));

function serverRssMb(): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${lk.proc.pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

describe('hostile handlers: output', () => {
  it('1 GB written to stdout: the invocation ends, the server stays small, the next invoke works', async () => {
    await deploy(lk.lambda, 'flood', FLOOD, { timeout: 120 });
    const r = await call(lk.lambda, 'flood', { mb: 1024 });
    // It finished, or hit its timeout: either way the invocation ended and the caller got an answer.
    expect(r.body.wrote === 1024 || r.body.errorType === 'Sandbox.Timedout').toBe(true);
    expect(serverRssMb()).toBeLessThan(768);
    await stillServes(lk.lambda);
    expect((await call(lk.lambda, 'flood', { mb: 1 })).body).toEqual({ wrote: 1 });
  }, 180_000);
});
