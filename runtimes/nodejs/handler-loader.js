// Finding and loading the function's handler from _HANDLER, the way Lambda's Node.js runtime does:
// `[dir/]module.path.to.fn` — the module name runs to the first dot after the last slash, the rest
// is a property path on the module (Lambda allows `index.handlers.create`).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuntimeError } from './errors.js';

const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * @param {string} taskRoot LAMBDA_TASK_ROOT
 * @param {string} handlerString _HANDLER
 * @returns {Promise<Function>}
 */
export async function loadHandler(taskRoot, handlerString) {
  if (handlerString.includes('..')) {
    throw new RuntimeError(
      'Runtime.MalformedHandlerName',
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const moduleAndPath = handlerString.slice(slash + 1);
  const dot = moduleAndPath.indexOf('.');
  if (dot < 0) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleName = moduleAndPath.slice(0, dot);
  const propertyPath = moduleAndPath.slice(dot + 1);

  const namespace = await importModule(findModule(taskRoot, moduleRoot, moduleName));
  // import() of a CommonJS file gives module.exports as `default` (and as named exports only when
  // Node's static analysis spots them), so look on the namespace first, then on `default`.
  const fn = dig(namespace, propertyPath) ?? dig(namespace.default, propertyPath);
  if (fn === undefined || fn === null) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return fn;
}

function findModule(taskRoot, moduleRoot, moduleName) {
  const base = resolve(taskRoot, moduleRoot, moduleName);
  for (const ext of EXTENSIONS) {
    if (statSync(base + ext, { throwIfNoEntry: false })?.isFile()) return base + ext;
  }
  // Like Lambda, fall back to Node's own resolution (a package under node_modules, a folder).
  try {
    const require = createRequire(join(taskRoot, 'noop.js'));
    return require.resolve(moduleName, { paths: [taskRoot, resolve(taskRoot, moduleRoot)] });
  } catch {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  }
}

async function importModule(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(err), syntaxLocation(err));
    if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', String(err));
    }
    throw err; // thrown by the module's own top-level code: reported as it is
  }
}

/** CommonJS syntax errors carry `file:line`, the source line and a caret before the message. */
function syntaxLocation(err) {
  const stack = typeof err.stack === 'string' ? err.stack : '';
  const end = stack.indexOf(`\n${err.name}: `);
  return end > 0 ? stack.slice(0, end).split('\n').filter((line) => line.trim() !== '') : [];
}

function dig(object, path) {
  let value = object;
  for (const key of path.split('.')) {
    if (value === undefined || value === null) return undefined;
    value = value[key];
  }
  return value;
}
