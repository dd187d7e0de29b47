// The fixture table of the runtime conformance suite: for each runtime, its probe package, its
// handler strings, the error types its language reports, and the cases it cannot express (with
// the reason, shown as a passing "not applicable" test and in the README's matrix, never a silent
// skip). runtime-cases.ts runs the same cases against every row.
import { join } from 'node:path';
import type { Files } from '../helpers/zip.js';
import { FIXTURES, buildGo, compileJava, folderFiles, ricFiles, ricProblem, which } from './runtime-packages.js';

export type CaseId =
  | 'echo' | 'context' | 'env' | 'warm-state' | 'error-shape' | 'marshal-error' | 'handler-not-found'
  | 'import-error' | 'timeout' | 'remaining-time' | 'large-payload' | 'unicode' | 'logs';

export interface Packages {
  readonly probe: Files;
  /** A package whose handler module cannot be loaded (a dependency is missing). */
  readonly importError?: Files;
}

export interface RuntimeTarget {
  /** File and matrix key. */
  readonly key: string;
  /** Column title in the README's matrix. */
  readonly label: string;
  readonly runtime: string;
  readonly handler: string;
  /** A handler string naming a method the probe does not have. */
  readonly missingHandler?: string;
  readonly importErrorHandler?: string;
  /** What the runtime reports: errorType of the probe's CustomError, of a missing handler, of an import error. */
  readonly errorType: string;
  readonly handlerNotFoundType?: string;
  readonly importErrorType?: string;
  /** errorType of a result that is not JSON, when not Runtime.MarshalError. */
  readonly marshalErrorType?: string;
  /** A word the import error's message names (the missing dependency). */
  readonly importErrorMentions?: string;
  readonly notApplicable: Partial<Record<CaseId, string>>;
  /** Why this runtime cannot be tested on this machine (a tool is missing), else undefined. */
  unavailable(): string | undefined;
  build(): Packages | Promise<Packages>;
}

const dir = (name: string) => join(FIXTURES, name);

/** The bootstrap is executable whatever the checkout did to its mode. */
function executable(files: Files, name: string): Files {
  const f = files[name];
  if (f && typeof f === 'object' && 'mode' in f) files[name] = { content: f.content, mode: 0o755 };
  return files;
}

export const NODE: RuntimeTarget = {
  key: 'nodejs', label: 'Node.js', runtime: 'nodejs20.x',
  handler: 'lambda_function.lambda_handler', missingHandler: 'lambda_function.no_such_handler',
  errorType: 'CustomError', handlerNotFoundType: 'Runtime.HandlerNotFound',
  importErrorType: 'Runtime.ImportModuleError', importErrorMentions: 'lambkin-no-such-module',
  notApplicable: {},
  unavailable: () => undefined,
  build: () => ({ probe: folderFiles(dir('node'), ['import-error']), importError: folderFiles(dir('node/import-error')) }),
};

export const PYTHON: RuntimeTarget = {
  key: 'python', label: 'Python', runtime: 'python3.11',
  handler: 'lambda_function.lambda_handler', missingHandler: 'lambda_function.no_such_handler',
  errorType: 'CustomError', handlerNotFoundType: 'Runtime.HandlerNotFound',
  importErrorType: 'Runtime.ImportModuleError', importErrorMentions: 'lambkin_no_such_module',
  notApplicable: {},
  unavailable: () => (which('python3') ? undefined : 'python3 is not installed (apt-get install -y python3)'),
  build: () => ({ probe: folderFiles(dir('python'), ['import-error']), importError: folderFiles(dir('python/import-error')) }),
};

export const RUBY: RuntimeTarget = {
  key: 'ruby', label: 'Ruby', runtime: 'ruby3.3',
  handler: 'lambda_function.lambda_handler', missingHandler: 'lambda_function.no_such_handler',
  // Lambda's Ruby runtime names errors Function<Class> (handler) and Init<Class> (loading).
  errorType: 'Function<CustomError>', handlerNotFoundType: 'Runtime.HandlerNotFound',
  importErrorType: 'Init<LoadError>', importErrorMentions: 'lambkin_no_such_gem',
  notApplicable: {},
  unavailable: () => (which('ruby') ? undefined : 'ruby is not installed (apt-get install -y ruby)'),
  build: () => ({ probe: folderFiles(dir('ruby'), ['import-error']), importError: folderFiles(dir('ruby/import-error')) }),
};

export const JAVA: RuntimeTarget = {
  key: 'java', label: 'Java', runtime: 'java17',
  handler: 'example.Probe::handleRequest', missingHandler: 'example.Probe::noSuchMethod',
  importErrorHandler: 'example.Broken::handleRequest',
  // Lambda's Java runtime reports the exception's full class name.
  errorType: 'example.CustomError', handlerNotFoundType: 'Runtime.HandlerNotFound',
  importErrorType: 'Runtime.ImportModuleError', importErrorMentions: 'example/Dep',
  notApplicable: {},
  unavailable: () => (which('javac') && which('java') ? undefined : 'a JDK is not installed (apt-get install -y default-jdk-headless)'),
  build: () => ({
    probe: compileJava(dir('java/probe')),
    // Broken needs Dep to compile; the package leaves Dep out.
    importError: Object.fromEntries(Object.entries(compileJava(dir('java/import-error'))).filter(([f]) => !f.includes('Dep'))),
  }),
};

export const SHELL: RuntimeTarget = {
  key: 'shell', label: 'provided: shell + curl', runtime: 'provided.al2023',
  handler: 'function.handler', missingHandler: 'function.no_such_handler',
  errorType: 'CustomError', handlerNotFoundType: 'Runtime.HandlerNotFound',
  importErrorType: 'Runtime.ImportModuleError', importErrorMentions: 'function',
  notApplicable: {
    'marshal-error': 'a shell handler writes bytes, not values: there is nothing it could fail to serialise',
  },
  unavailable: () => (which('curl') ? undefined : 'curl is not installed (apt-get install -y curl)'),
  build: () => ({
    probe: executable(folderFiles(dir('shell'), ['import-error']), 'bootstrap'),
    importError: executable({ ...folderFiles(dir('shell'), ['import-error', 'function.sh']), ...folderFiles(dir('shell/import-error')) }, 'bootstrap'),
  }),
};

export const GO: RuntimeTarget = {
  key: 'go', label: 'provided: Go', runtime: 'provided.al2023',
  handler: 'bootstrap',
  errorType: 'CustomError',
  notApplicable: {
    'handler-not-found': 'a Go bootstrap is its own handler: _HANDLER is not read (as with aws-lambda-go)',
    'import-error': 'Go is compiled: a missing dependency fails the build, not the start',
  },
  unavailable: () => (which('go') ? undefined : 'go is not installed (apt-get install -y golang-go): the Go custom runtime is not tested'),
  build: () => ({ probe: { bootstrap: { content: buildGo(dir('go')), mode: 0o755 } } }),
};

export const RIC: RuntimeTarget = {
  key: 'ric', label: 'provided: aws-lambda-ric', runtime: 'provided.al2023',
  handler: 'lambda_function.lambda_handler', missingHandler: 'lambda_function.no_such_handler',
  errorType: 'CustomError', handlerNotFoundType: 'Runtime.HandlerNotFound',
  importErrorType: 'Runtime.ImportModuleError', importErrorMentions: 'lambkin-no-such-module',
  // AWS's own Node.js client names it so (lambkin passes it through as the runtime posted it).
  marshalErrorType: 'Runtime.JSONStringifyError',
  notApplicable: {},
  unavailable: ricProblem,
  build: () => {
    const common = executable({ ...ricFiles(), ...folderFiles(dir('ric')) }, 'bootstrap');
    return {
      probe: { ...common, ...folderFiles(dir('node'), ['import-error']) },
      importError: { ...common, ...folderFiles(dir('node/import-error')) },
    };
  },
};

export const TARGETS: readonly RuntimeTarget[] = [NODE, PYTHON, RUBY, JAVA, SHELL, GO, RIC];
