// The real `aws` CLI pointed at a test server. It is not a dependency of lambkin: where it is not
// installed, tests that need it skip (awsCliInstalled()).
import { execFile } from 'node:child_process';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function awsCliInstalled(): Promise<boolean> {
  return new Promise((r) => execFile('aws', ['--version'], (err) => r(!err)));
}

/** `aws --endpoint-url <url> <service> …` with test credentials and JSON output. */
export function awsCli(url: string, service: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('aws', ['--endpoint-url', url, '--region', 'us-east-1', '--output', 'json', service, ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
      maxBuffer: 16 * 1024 * 1024,
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }));
  });
}
