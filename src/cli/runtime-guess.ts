// Guessing a runtime from a package's file names, so that `lambkin deploy folder` just works.
// The handler's own file decides first; then what sits at the package root.

export const DEFAULT_HANDLER = 'lambda_function.lambda_handler';
export const DEFAULT_PYTHON = 'python3.11';
export const DEFAULT_NODE = 'nodejs20.x';
export const DEFAULT_RUBY = 'ruby3.3';
export const DEFAULT_PROVIDED = 'provided.al2023';

export interface RuntimeGuess {
  readonly runtime: string;
  /** The file that decided, e.g. lambda_function.py. */
  readonly because: string;
}

const PY = ['.py'];
const JS = ['.mjs', '.js', '.cjs'];
const RB = ['.rb'];

/** 'python', 'nodejs', 'provided', … from a runtime id like python3.11. */
export function runtimeFamily(runtime: string): string {
  return /^[a-z]+/.exec(runtime)?.[0] ?? runtime;
}

/** The module path of a handler string: src/app.handler → src/app. */
export function handlerModule(handler: string): string {
  const dot = handler.lastIndexOf('.');
  return dot > 0 ? handler.slice(0, dot) : handler;
}

/** Ruby's handler file is before the first dot: app.Billing::Handler.process → app (app.rb). */
function rubyHandlerFile(handler: string): string {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  return dot > 0 ? handler.slice(0, dot) : handler;
}

export function guessRuntime(names: readonly string[], handler: string): RuntimeGuess | undefined {
  const present = new Set(names);
  const mod = handlerModule(handler);
  for (const ext of PY) if (present.has(mod + ext)) return { runtime: DEFAULT_PYTHON, because: mod + ext };
  for (const ext of JS) if (present.has(mod + ext)) return { runtime: DEFAULT_NODE, because: mod + ext };
  const rb = rubyHandlerFile(handler) + RB[0];
  if (present.has(rb)) return { runtime: DEFAULT_RUBY, because: rb };
  if (present.has('bootstrap')) return { runtime: DEFAULT_PROVIDED, because: 'bootstrap' };
  const atRoot = names.filter((n) => !n.includes('/')).sort();
  const py = atRoot.find((n) => PY.some((e) => n.endsWith(e)));
  if (py) return { runtime: DEFAULT_PYTHON, because: py };
  const js = atRoot.find((n) => JS.some((e) => n.endsWith(e)));
  if (js) return { runtime: DEFAULT_NODE, because: js };
  const ruby = atRoot.find((n) => RB.some((e) => n.endsWith(e))) ?? atRoot.find((n) => n === 'Gemfile');
  if (ruby) return { runtime: DEFAULT_RUBY, because: ruby };
  if (present.has('package.json')) return { runtime: DEFAULT_NODE, because: 'package.json' };
  return undefined;
}

/** A sentence when the handler's file is plainly missing from the package, else undefined. */
export function missingHandlerFile(names: readonly string[], handler: string, runtime: string): string | undefined {
  const family = runtimeFamily(runtime);
  const exts = { python: PY, nodejs: JS, ruby: RB }[family];
  if (!exts) return undefined; // custom runtimes read _HANDLER however they like
  const mod = family === 'ruby' ? rubyHandlerFile(handler) : handlerModule(handler);
  if (exts.some((e) => names.includes(mod + e))) return undefined;
  return `the package has no ${mod}${exts[0]}, so handler '${handler}' will not be found; pass --handler file.method`;
}
