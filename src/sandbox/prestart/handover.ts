// How a pre-started sandbox is handed its function's environment: written to the waiting process's
// stdin, which the host then closes. lambkin's own bootstraps read one JSON object; a custom
// runtime's launcher (runtimes/custom.ts) is a POSIX shell, which reads lines it sources.
import type { PrestartSupport } from '../../launch.js';

/** A name a POSIX shell can export. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether every one of these variables can be handed over in the runtime's form. */
export function canHandOver(support: PrestartSupport, env: Readonly<Record<string, string>>): boolean {
  return support.handover !== 'shell' || Object.keys(env).every((k) => SHELL_NAME.test(k));
}

export function handoverText(support: PrestartSupport | undefined, env: Readonly<Record<string, string>>): string {
  if (support?.handover !== 'shell') return JSON.stringify(env) + '\n';
  // As the namespace sandbox's environment file (sandbox/namespace/network.ts envScript): the shell
  // exports a PWD of its own unless the environment has one; single quotes hold anything but '.
  const lines = ['unset PWD'];
  for (const [key, value] of Object.entries(env)) lines.push(`export ${key}='${value.replaceAll("'", `'\\''`)}'`);
  return lines.join('\n') + '\n';
}
