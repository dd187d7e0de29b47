// The runtime's own syntax check of the files just edited, before they are deployed: a mistake is
// shown at once (not as an init error at the next invoke) and the previous version keeps serving.
// Node.js: `node --check`; Python: compile() in the function's Python (no .pyc written); Ruby:
// `ruby -c`. Other files (and runtimes) are deployed unchecked.
import { execFile } from 'node:child_process';
import { extname } from 'node:path';

const CHECK_TIMEOUT_MS = 10_000;
const PY_CHECK = [
  'import sys',
  'for f in sys.argv[1:]:',
  '    try:',
  "        compile(open(f, 'rb').read(), f, 'exec', dont_inherit=True)",
  '    except SyntaxError as e:',
  "        print(f'{e.filename}:{e.lineno}: SyntaxError: {e.msg}' + (f'\\n    {e.text.rstrip()}' if e.text else ''), file=sys.stderr)",
  '        sys.exit(1)',
].join('\n');

interface Run {
  readonly ok: boolean;
  readonly output: string;
  /** The checker itself is missing: nothing to say. */
  readonly missing: boolean;
}

function run(cmd: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: CHECK_TIMEOUT_MS, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
      resolve({ ok: !err || missing, output: `${stderr}${stdout}`, missing });
    });
  });
}

/** The error lines worth showing: no blank lines, stack frames or "Node.js v20…" footer; paths relative. */
function tidy(output: string): string {
  const cwd = process.cwd() + '/';
  return output.split('\n').filter((l) => l.trim() && !/^Node\.js v\d/.test(l) && !/^\s+at /.test(l))
    .slice(0, 8).map((l) => (l.startsWith(cwd) ? l.slice(cwd.length) : l)).join('\n');
}

/** undefined when every file passes; else the errors to print. `files` are absolute paths. */
export async function syntaxErrors(runtime: string, files: readonly string[]): Promise<string | undefined> {
  const js = files.filter((f) => ['.js', '.mjs', '.cjs'].includes(extname(f)));
  const py = files.filter((f) => extname(f) === '.py');
  const rb = files.filter((f) => extname(f) === '.rb');
  const checks: Promise<Run>[] = [];
  if (runtime.startsWith('nodejs')) for (const f of js) checks.push(run(process.execPath, ['--check', f]));
  if (runtime.startsWith('python') && py.length > 0) {
    checks.push(run(runtime, ['-c', PY_CHECK, ...py]).then((r) => (r.missing ? run('python3', ['-c', PY_CHECK, ...py]) : r)));
  }
  if (runtime.startsWith('ruby')) for (const f of rb) checks.push(run('ruby', ['-c', f]));
  const failed = (await Promise.all(checks)).filter((r) => !r.ok);
  return failed.length === 0 ? undefined : failed.map((r) => tidy(r.output)).join('\n');
}
