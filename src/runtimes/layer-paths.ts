// Where each runtime looks for code in a function's layers, as Lambda's runtimes do: the layers
// are merged at /opt (the process backend shows them at a host path instead: `opt`). Set only for
// functions with layers; a function's own variables of the same names still win (as on Lambda).
import type { RuntimeFamily } from './catalogue.js';

export interface LayerPathInput {
  readonly family: RuntimeFamily;
  /** The function's runtime id, e.g. nodejs20.x, python3.11, ruby3.2: it names the version folders. */
  readonly runtimeId: string;
  readonly opt: string;
  readonly taskRoot: string;
  /** PATH and LD_LIBRARY_PATH as they would be without layers. */
  readonly path: string;
  readonly ldLibraryPath?: string;
}

export function layerPaths(i: LayerPathInput): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${i.path}:${i.opt}/bin`,
    LD_LIBRARY_PATH: [i.ldLibraryPath, `${i.opt}/lib`].filter(Boolean).join(':'),
  };
  const version = /[0-9][0-9.]*/.exec(i.runtimeId)?.[0]?.replace(/\.$/, '') ?? '';
  switch (i.family) {
    case 'nodejs':
      // nodejs20.x → /opt/nodejs/node20/node_modules, then /opt/nodejs/node_modules.
      env.NODE_PATH = `${i.opt}/nodejs/node${version}/node_modules:${i.opt}/nodejs/node_modules`;
      break;
    case 'python':
      env.PYTHONPATH = `${i.opt}/python/lib/python${version}/site-packages:${i.opt}/python`;
      break;
    case 'ruby':
      env.RUBYLIB = `${i.taskRoot}:${i.opt}/ruby/lib`;
      env.GEM_PATH = `${i.opt}/ruby/gems/${version}.0`;
      break;
    case 'java':
      // The Java bootstrap adds <this>/java/lib/*.jar to the function's class path.
      env._LAMBKIN_OPT_DIR = i.opt;
      break;
    default:
      break;
  }
  return env;
}
