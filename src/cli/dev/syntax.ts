// The runtime's own syntax check of the files just edited, before they are deployed: a mistake is
// shown at once (not as an init error at the next invoke) and the previous version keeps serving.
// Node.js files are compiled by V8 (vm.Script, or vm.SourceTextModule for ES modules) and Python
// files by compile() in the function's Python, each in a checker process kept running
// (checker.ts); Ruby files by `ruby -c`. Other files are deployed unchecked.
import { execFile } from 'node:child_process';
import { extname } from 'node:path';
import { findExecutable } from '../../executables.js';
import { CheckerProcess } from './checker.js';
import { NODE_CHECKER, PYTHON_CHECKER } from './checker-scripts.js';

const checkers = new Map<string, CheckerProcess>();

const onPath = (command: string): boolean => findExecutable(command) !== undefined;

/** The checker for a runtime id, or undefined for runtimes checked otherwise (or not at all). */
function checkerFor(runtime: string): CheckerProcess | undefined {
  let key: string;
  let make: () => CheckerProcess;
  if (runtime.startsWith('nodejs')) {
    key = 'node';
    make = () => new CheckerProcess(process.execPath, ['--experimental-vm-modules', '--no-warnings', '-e', NODE_CHECKER]);
  } else if (runtime.startsWith('python')) {
    // The function's own Python (python3.11) when this machine has it: its grammar is the one that counts.
    const python = onPath(runtime) ? runtime : 'python3';
    key = python;
    make = () => new CheckerProcess(python, ['-I', '-S', '-u', '-c', PYTHON_CHECKER]);
  } else {
    return undefined;
  }
  let c = checkers.get(key);
  if (!c) checkers.set(key, (c = make()));
  return c;
}

/** Start the checkers of these runtimes now, so that the first save does not wait for one. */
export function warmCheckers(runtimes: readonly string[]): void {
  for (const r of new Set(runtimes)) checkerFor(r)?.warm();
}

export function closeCheckers(): void {
  for (const c of checkers.values()) c.close();
  checkers.clear();
}

function rubyCheck(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ruby', ['-c', file], { timeout: 10_000 }, (err, _stdout, stderr) => {
      resolve(err && (err as NodeJS.ErrnoException).code !== 'ENOENT' ? stderr.trim() : undefined);
    });
  });
}

/** Paths in messages relative to the current folder, as the person typed them. */
function relativePaths(text: string): string {
  return text.split(process.cwd() + '/').join('');
}

/** undefined when every file passes; else the errors to print. `files` are absolute paths. */
export async function syntaxErrors(runtime: string, files: readonly string[]): Promise<string | undefined> {
  const exts = runtime.startsWith('nodejs') ? ['.js', '.mjs', '.cjs'] : runtime.startsWith('python') ? ['.py'] : runtime.startsWith('ruby') ? ['.rb'] : [];
  const mine = files.filter((f) => exts.includes(extname(f)));
  if (mine.length === 0) return undefined;
  if (runtime.startsWith('ruby')) {
    const errors = (await Promise.all(mine.map(rubyCheck))).filter(Boolean);
    return errors.length ? relativePaths(errors.join('\n')) : undefined;
  }
  const answer = await checkerFor(runtime)!.check(mine);
  return answer.error ? relativePaths(answer.error) : undefined;
}
