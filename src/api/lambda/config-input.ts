// From a validated request body to the registry's typed values: the checks that are Lambda's
// service rules rather than model constraints (InvalidParameterValueException), the defaults of
// a new function, and the refusal of Lambda features lambkin does not have, so that nothing is
// silently dropped that would change how a function behaves.
import { apiError } from '../../errors.js';
import type { ConfigPatch } from '../../registry/registry.js';
import type { FunctionConfig, LoggingConfig, StoredOnlyConfig } from '../../registry/types.js';
import { defaultConfig } from '../../registry/defaults.js';
import { findRuntime } from '../../runtimes/catalogue.js';
import type { ConfigMembers } from './schemas.js';
import { HOST_ARCHITECTURE } from './wire.js';
import { egressInput } from './egress-input.js';

const MAX_MEMORY = 10240;
const MAX_ENVIRONMENT_BYTES = 4096;
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
/** Set by the platform for every runtime; Lambda refuses them in Environment.Variables. */
const RESERVED_ENV_KEYS = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
  // TZ, LANG, PATH, LD_LIBRARY_PATH, NODE_PATH, PYTHONPATH may be set, as on Lambda.
]);
const MAX_TAGS = 50;

const invalid = (message: string) => apiError('InvalidParameterValueException', message);

/** The configuration of a new function: the request's values over lambkin's defaults. */
export function newConfig(name: string, body: ConfigMembers): FunctionConfig {
  if (body.Runtime === undefined) {
    throw invalid('Runtime is a mandatory parameter for functions created with deployment packages.');
  }
  const defaults = defaultConfig(name, body.Runtime);
  return { ...defaults, ...configPatch(body, defaults.loggingConfig) };
}

/**
 * The fields a request changes; `logging` is the current LoggingConfig and `stored` the current
 * stored-only fields, which a request amends.
 */
export function configPatch(body: ConfigMembers, logging: LoggingConfig, stored?: StoredOnlyConfig): ConfigPatch {
  refuseUnsupported(body);
  if (body.Runtime !== undefined) checkRuntime(body.Runtime);
  if (body.MemorySize !== undefined && body.MemorySize > MAX_MEMORY) {
    throw invalid(`'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to ${MAX_MEMORY}`);
  }
  const patch: { -readonly [K in keyof ConfigPatch]: ConfigPatch[K] } = {
    runtime: body.Runtime,
    handler: body.Handler,
    role: body.Role,
    description: body.Description,
    memorySize: body.MemorySize,
    timeout: body.Timeout,
    ephemeralStorage: body.EphemeralStorage?.Size,
    sanitizeErrors: body.LambkinSanitizeErrors,
    singleUse: body.LambkinSingleUse,
    recordPayloads: body.LambkinRecordPayloads,
    egress: body.LambkinEgress && egressInput(body.LambkinEgress),
  };
  // Environment replaces all variables; `Environment: {}` clears them, as on Lambda.
  if (body.Environment !== undefined) patch.environment = checkEnvironment(body.Environment.Variables ?? {});
  if (body.LoggingConfig !== undefined || body.LambkinLogging !== undefined) {
    patch.loggingConfig = {
      logFormat: body.LoggingConfig?.LogFormat ?? logging.logFormat,
      logGroup: body.LoggingConfig?.LogGroup ?? logging.logGroup,
      enabled: body.LambkinLogging ?? logging.enabled,
    };
  }
  patch.stored = storedOnly(body, stored);
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as ConfigPatch;
}

/**
 * Fields Lambda has that lambkin keeps and returns as set without acting on them
 * (docs/compatibility.md): undefined when the request sets none of them.
 */
function storedOnly(body: ConfigMembers, current: StoredOnlyConfig = {}): StoredOnlyConfig | undefined {
  const next: { -readonly [K in keyof StoredOnlyConfig]: StoredOnlyConfig[K] } = { ...current };
  let changed = false;
  const set = <K extends keyof StoredOnlyConfig>(key: K, value: StoredOnlyConfig[K] | undefined, given: boolean) => {
    if (!given) return;
    changed = true;
    if (value === undefined || value === '') delete next[key];
    else next[key] = value;
  };
  set('tracingMode', body.TracingConfig?.Mode, body.TracingConfig !== undefined);
  set('snapStartApplyOn', body.SnapStart?.ApplyOn, body.SnapStart !== undefined);
  set('kmsKeyArn', body.KMSKeyArn, body.KMSKeyArn !== undefined);
  set('deadLetterTargetArn', body.DeadLetterConfig?.TargetArn, body.DeadLetterConfig !== undefined);
  const vpc = body.VpcConfig;
  set('vpc', vpc && (vpc.SubnetIds?.length || vpc.SecurityGroupIds?.length)
    ? { subnetIds: vpc.SubnetIds ?? [], securityGroupIds: vpc.SecurityGroupIds ?? [], ipv6AllowedForDualStack: vpc.Ipv6AllowedForDualStack ?? false }
    : undefined, vpc !== undefined);
  set('applicationLogLevel', body.LoggingConfig?.ApplicationLogLevel, body.LoggingConfig?.ApplicationLogLevel !== undefined);
  set('systemLogLevel', body.LoggingConfig?.SystemLogLevel, body.LoggingConfig?.SystemLogLevel !== undefined);
  return changed ? next : undefined;
}

export function checkRuntime(runtime: string): void {
  const hint = findRuntime(runtime)?.missing();
  if (hint) throw invalid(`The runtime ${runtime} is not available on this server: ${hint}`);
}

export function checkArchitectures(architectures: readonly string[] | undefined): void {
  if (architectures?.some((a) => a !== HOST_ARCHITECTURE)) {
    throw invalid(`lambkin runs functions on this machine's architecture: Architectures must be ["${HOST_ARCHITECTURE}"].`);
  }
}

export function checkTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalid(`A function can have at most ${MAX_TAGS} tags.`);
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) throw invalid(`Tag key '${key}' must be 1 to 128 characters long.`);
    if (key.toLowerCase().startsWith('aws:')) throw invalid(`Tag keys starting with 'aws:' are reserved: ${key}`);
    if ((tags[key] as string).length > 256) throw invalid(`The value of tag '${key}' must be at most 256 characters long.`);
  }
  return { ...tags };
}

function checkEnvironment(variables: Readonly<Record<string, string>>): Record<string, string> {
  const keys = Object.keys(variables);
  if (keys.some((k) => !ENV_KEY.test(k))) {
    // Values are sensitive in the model, so Lambda's message names no value.
    throw apiError(
      'ValidationException',
      "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    );
  }
  const reserved = keys.filter((k) => RESERVED_ENV_KEYS.has(k));
  if (reserved.length > 0) {
    throw invalid(
      'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
        `contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const size = Buffer.byteLength(JSON.stringify(variables), 'utf8');
  if (size > MAX_ENVIRONMENT_BYTES) {
    throw invalid(
      'Lambda was unable to configure your environment variables because the environment variables you have provided ' +
        `exceeded the 4KB limit. String measured: ${size} bytes`,
    );
  }
  return { ...variables };
}

/** Features that would change a function's behaviour, which lambkin cannot honour. */
function refuseUnsupported(body: ConfigMembers): void {
  if (body.FileSystemConfigs && body.FileSystemConfigs.length > 0) throw invalid('FileSystemConfigs are not supported by lambkin.');
  const image = body.ImageConfig;
  if (image && (image.Command || image.EntryPoint || image.WorkingDirectory)) {
    throw invalid('ImageConfig applies to Image packages; lambkin supports PackageType Zip only.');
  }
  if (body.CapacityProviderConfig !== undefined) throw invalid('CapacityProviderConfig is not supported by lambkin.');
  if (body.DurableConfig !== undefined) throw invalid('DurableConfig is not supported by lambkin.');
}

/** Lambda's cap on a request carrying a zip inline (50 MB of zip, base64-encoded). */
export const MAX_ZIP_REQUEST_BYTES = 69_905_067;

export function checkRequestSize(body: Buffer, operation: string): void {
  if (body.length > MAX_ZIP_REQUEST_BYTES) {
    throw apiError('RequestTooLargeException', `Request must be smaller than ${MAX_ZIP_REQUEST_BYTES} bytes for the ${operation} operation`);
  }
}

interface CodeMembers {
  readonly ZipFile?: string;
  readonly S3Bucket?: string;
  readonly S3Key?: string;
  readonly S3ObjectVersion?: string;
  readonly S3ObjectStorageMode?: string;
  readonly ImageUri?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The zip a request carries; only ZipFile is supported (lambkin has no S3 and no images). */
export function zipFromRequest(code: CodeMembers): Buffer {
  if (code.S3Bucket ?? code.S3Key ?? code.S3ObjectVersion ?? code.S3ObjectStorageMode ?? code.ImageUri) {
    throw invalid('lambkin takes code only as ZipFile (the zip itself, base64-encoded in the request); S3Bucket, S3Key, S3ObjectVersion and ImageUri are not supported.');
  }
  if (code.ZipFile === undefined) throw invalid('Please provide a source for function code.');
  if (code.ZipFile.length % 4 !== 0 || !BASE64.test(code.ZipFile)) {
    throw apiError('InvalidRequestContentException', 'Could not parse request body into json: ZipFile is not valid base64.');
  }
  return Buffer.from(code.ZipFile, 'base64');
}
