// The programs the checker processes run (checker.ts): read {id, files} JSON lines on stdin, compile
// each file without running it, answer {id, error} (error: the first lines of each SyntaxError,
// `file:line` first, or null). Standard library only; kept as text to pass with -e / -c.

/** For `node --experimental-vm-modules -e`: ES modules (.mjs, or .js under "type": "module") and CommonJS. */
export const NODE_CHECKER = String.raw`
const vm = require('node:vm'), fs = require('node:fs'), path = require('node:path');
function isModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try { return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).type === 'module'; }
    catch (e) { if (e.code !== 'ENOENT') return false; }
    if (path.dirname(dir) === dir) return false;
  }
}
function tidy(text) {
  return text.split('\n').filter((l) => l.trim() && !/^Node\.js v\d/.test(l) && !/^\s+at /.test(l)).join('\n');
}
// V8 says where a module's error is only when it loads the file itself: ask node --check then
// (an error is rare, and not on the path of a good save).
function moduleError(file, e) {
  const r = require('node:child_process').spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10000 });
  return tidy(r.stderr || '') || tidy(String(e.stack || e));
}
function asModule(src, file) { new vm.SourceTextModule(src, { identifier: file }); }
function check(file) {
  let src;
  try { src = fs.readFileSync(file, 'utf8').replace(/^#!.*/, ''); } catch { return null; }
  const module = isModule(file);
  try {
    if (module) asModule(src, file);
    else vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    return null;
  } catch (e) {
    if (!(e instanceof SyntaxError)) return null;
    // import/export in a .js file: newer runtimes load it as a module; accept it when it parses as one.
    if (!module && /import statement|token 'export'|outside a module/.test(e.message)) {
      try { asModule(src, file); return null; } catch (e2) { return moduleError(file, e2); }
    }
    return module ? moduleError(file, e) : tidy(String(e.stack || e));
  }
}
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  let req; try { req = JSON.parse(line); } catch { return; }
  const errors = req.files.map(check).filter(Boolean);
  process.stdout.write(JSON.stringify({ id: req.id, error: errors.length ? errors.join('\n') : null }) + '\n');
});
`;

/** For `python -I -S -u -c`. */
export const PYTHON_CHECKER = String.raw`
import json, sys
for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        continue
    errors = []
    for f in req["files"]:
        try:
            with open(f, "rb") as fh:
                compile(fh.read(), f, "exec", dont_inherit=True)
        except SyntaxError as e:
            errors.append(f"{e.filename}:{e.lineno}: {type(e).__name__}: {e.msg}" + (f"\n    {e.text.rstrip()}" if e.text else ""))
        except (OSError, ValueError):
            pass
    sys.stdout.write(json.dumps({"id": req["id"], "error": "\n".join(errors) or None}) + "\n")
`;
