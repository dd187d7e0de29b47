// Run the built CLI (bin/lambkin.js) as a user would, against a server (or none: `endpoint`
// undefined), with colour off; resolves with the exit code and both outputs, never rejects.
import { execFile } from 'node:child_process';
import { CLI } from './server.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(endpoint: string | undefined, ...args: string[]): Promise<CliRun> {
  const target = endpoint ? ['--endpoint', endpoint] : [];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...target, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
