// The environment variables a runtime process gets (docs/lambda-contracts.md §1). Nothing of the server's
// own environment leaks in except PATH and LANG (TZ is always UTC).
import { inheritedEnvironment } from '../settings.js';
import type { FunctionRecord } from '../registry/types.js';
import type { RuntimeSpec } from '../runtimes/catalogue.js';
import { layerPaths } from '../runtimes/layer-paths.js';
import type { SandboxLayout } from '../sandbox/types.js';
import { TELEMETRY_FD } from '../sandbox/types.js';

export interface EnvVarInput {
  readonly fn: FunctionRecord;
  readonly runtime: RuntimeSpec;
  readonly layout: SandboxLayout;
  readonly runtimeApi: string;
  readonly logStream: string;
  readonly region: string;
  readonly initializationType: 'on-demand' | 'provisioned-concurrency';
}

export function runtimeEnvironment(input: EnvVarInput): Record<string, string> {
  const { fn, runtime, layout } = input;
  const c = fn.config;
  const env: Record<string, string> = {
    ...inheritedEnvironment(),
    TMPDIR: layout.tmpDir,
    _HANDLER: c.handler,
    LAMBDA_TASK_ROOT: layout.taskRoot,
    LAMBDA_RUNTIME_DIR: layout.runtimeDir,
    AWS_LAMBDA_RUNTIME_API: input.runtimeApi,
    AWS_LAMBDA_FUNCTION_NAME: c.name,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: c.loggingConfig.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStream,
    AWS_LAMBDA_INITIALIZATION_TYPE: input.initializationType,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    _LAMBDA_TELEMETRY_LOG_FD: String(TELEMETRY_FD),
  };
  if (runtime.family !== 'provided') env.AWS_EXECUTION_ENV = `AWS_Lambda_${c.runtime}`;
  if (runtime.directSocket && layout.runtimeApiSocket) env._LAMBKIN_RUNTIME_API_SOCKET = layout.runtimeApiSocket;
  if (c.loggingConfig.logFormat === 'JSON') env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
  Object.assign(env, runtime.launch(layout).env);
  // A pre-started sandbox has an /opt whatever its function: the paths only for one with layers.
  if (layout.optDir && (fn.layerDirs?.length ?? 0) > 0) {
    Object.assign(env, layerPaths({
      family: runtime.family, runtimeId: c.runtime, opt: layout.optDir, taskRoot: layout.taskRoot, path: env.PATH!, ldLibraryPath: env.LD_LIBRARY_PATH,
    }));
  }
  // The function's own variables last: the registry refuses reserved names, so they add, never override.
  Object.assign(env, c.environment);
  return env;
}
