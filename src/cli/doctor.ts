// `lambkin doctor`: what this machine has for `lambkin serve` — the sandbox's tools, cgroups, each
// runtime — in one table, and one apt-get line for what is missing. The same facts the server
// warns about at start (doctor-checks.ts asks the same code), available before starting it.
// Exit status 1 when something is missing, so that a setup script can stop there.
import type { Command } from 'commander';
import { CLI_EXIT_CODES } from '../errors.js';
import { runChecks, type Check } from './doctor-checks.js';
import { out, paint, table } from './output.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check what this machine has for `lambkin serve` (sandbox tools, cgroups, runtimes) and what to install')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { json?: boolean }) => {
      const checks = await runChecks();
      const missing = checks.filter((c) => c.status === 'missing');
      if (missing.length) process.exitCode = CLI_EXIT_CODES.DoctorMissing.code;
      if (opts.json) return out(JSON.stringify(checks, null, 2));
      const p = paint(process.stdout);
      const shown = (c: Check) => (c.status === 'missing' ? p.red('missing') : c.status);
      process.stdout.write(table(['CHECK', 'STATUS', 'DETAIL'], checks.map((c) => [c.name, shown(c), c.detail]), p));
      const packages = [...new Set(missing.flatMap((c) => (c.install ? [c.install] : [])))];
      if (packages.length) out(`\nto install what is missing:  apt-get install -y ${packages.join(' ')}`);
      else if (!missing.length) out('\neverything lambkin serve uses is here');
    });
}
