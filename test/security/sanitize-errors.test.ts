// Errors a caller should not see: a function deployed with `lambkin deploy --sanitize-errors` answers
// a failed invoke with a generic message and the request id only; the full error (type, message,
// stack) is in the function's logs. Off by default, as on Lambda.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startLambkin, type Lambkin } from '../helpers/server.js';
import { call, waitFor } from './hostile.js';

const FAILING = `
class PaymentDeclined extends Error { constructor(m) { super(m); this.name = 'PaymentDeclined'; } }
exports.lambda_handler = async () => { throw new PaymentDeclined('card 4111-XXXX declined by upstream db at 10.0.0.7'); };
`;

let lk: Lambkin;
let dir: string;

function lambkin(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, '--endpoint', lk.url, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

beforeAll(async () => {
  lk = await startLambkin();
  dir = mkdtempSync(join(tmpdir(), 'lambkin-sanitize-'));
  writeFileSync(join(dir, 'lambda_function.js'), FAILING);
});
afterAll(async () => {
  await lk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sanitized errors', () => {
  it('off by default: the caller sees the function\'s error in full', async () => {
    await lambkin('deploy', dir, '--name', 'plain', '--runtime', 'nodejs20.x');
    const r = await call(lk.lambda, 'plain');
    expect(r.functionError).toBe('Unhandled');
    expect(r.body).toMatchObject({ errorType: 'PaymentDeclined', errorMessage: expect.stringContaining('10.0.0.7') });
  });

  it('deploy --sanitize-errors: the caller gets only the request id; the logs get the whole error', async () => {
    await lambkin('deploy', dir, '--name', 'sanitized', '--runtime', 'nodejs20.x', '--sanitize-errors');
    const r = await call(lk.lambda, 'sanitized');
    expect(r.functionError).toBe('Unhandled');
    expect(r.body).toEqual({ errorType: 'Error', errorMessage: `Internal error. Request ID: ${r.requestId}` });
    expect(r.text).not.toContain('PaymentDeclined');
    expect(r.text).not.toContain('10.0.0.7');

    const events = await waitFor('the error in the function\'s logs', async () => {
      const out = await lk.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/sanitized', filterPattern: `"${r.requestId}"` }));
      const text = (out.events ?? []).map((e) => e.message).join('\n');
      return text.includes('PaymentDeclined') && text.includes('10.0.0.7') && text.includes('lambda_function.js') ? text : undefined;
    });
    expect(events).toContain('card 4111-XXXX declined');
    // Switched back off, the caller sees it again.
    await lambkin('deploy', dir, '--name', 'sanitized', '--no-sanitize-errors');
    await waitFor('the full error again', async () => (await call(lk.lambda, 'sanitized')).body.errorType === 'PaymentDeclined');
  });
});
