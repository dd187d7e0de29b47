// The one error registry: every error a client of lambkin can receive — the Lambda API's, the
// CloudWatch Logs API's, the Runtime API's refusals, the function errors and the CLI's exit codes —
// with its wire name, HTTP status and kind (User = the caller's fault, Service = ours). Code throws
// `apiError(...)`; api/ turns it into Lambda's error format. docs/errors.md documents each entry
// (test/unit/errors-registry.test.ts checks names, statuses and kinds).

export type ErrorKind = 'User' | 'Service';

export interface ErrorSpec {
  readonly status: number;
  /** Other statuses the same error is answered with (ServiceException: 503 while a dependency is away). */
  readonly alsoStatuses?: readonly number[];
  readonly kind: ErrorKind;
  readonly description: string;
}

export const API_ERRORS = {
  InvalidParameterValueException: { status: 400, kind: 'User', description: 'A parameter is missing, malformed or out of range.' },
  InvalidRequestContentException: { status: 400, kind: 'User', description: 'The request body is not valid JSON, or not the shape the operation takes.' },
  ValidationException: { status: 400, kind: 'User', description: 'A path or query parameter does not match its pattern (e.g. an invalid function name).' },
  AccessDeniedException: { status: 403, kind: 'User', description: 'The request is not signed, or signed with unknown credentials.' },
  InvalidSignatureException: { status: 403, kind: 'User', description: 'The request signature does not match, or it is more than 15 minutes old.' },
  UnrecognizedClientException: { status: 403, kind: 'User', description: 'The request is signed with an access key id this server does not know.' },
  ResourceNotFoundException: { status: 404, kind: 'User', description: 'The function (or version, alias, route) does not exist.' },
  ResourceConflictException: { status: 409, kind: 'User', description: 'The resource already exists, or is in use.' },
  ProvisionedConcurrencyConfigNotFoundException: { status: 404, kind: 'User', description: 'The version or alias has no provisioned concurrency configuration.' },
  CodeStorageExceededException: { status: 400, kind: 'User', description: 'The code of all functions and versions would pass the code storage limit (--code-storage-limit, 75 GB by default).' },
  PreconditionFailedException: { status: 412, kind: 'User', description: 'The RevisionId given does not match the current one.' },
  RequestTooLargeException: { status: 413, kind: 'User', description: 'The request body is over the operation\'s limit (Invoke 6 MB sync, 256 KB async; code uploads 69,905,067 bytes; anything else 1 MB), refused from its Content-Length before it is read.' },
  UnsupportedMediaTypeException: { status: 415, kind: 'User', description: 'The content type of the request is not supported.' },
  TooManyRequestsException: { status: 429, kind: 'User', description: 'A concurrency limit or the server\'s memory budget (`--memory-budget`) is reached, or the server holds its limit of request bodies in memory (`Reason: ServerBusy`, `--max-request-buffer`); retry after the Retry-After seconds.' },
  NotImplementedException: { status: 501, kind: 'Service', description: 'The request is a Lambda API operation lambkin does not implement; the message names it (docs/compatibility.md lists what is implemented). Not retried by the AWS SDKs.' },
  ServiceException: {
    status: 500, alsoStatuses: [503], kind: 'Service',
    description: 'lambkin itself failed (500; the message carries a request id to find it in the server log), or cannot reach what it needs right now (503, with Retry-After: its database, or on a cluster node NATS or the cluster\'s latest changes): try again shortly.',
  },
  NodeStoppedException: { status: 410, kind: 'Service', description: 'A cluster node running this synchronous invocation stopped (killed, or cut off past the heartbeat TTL) before it answered; the function may have run in part. Answered within the TTL + 2 s; not retried by the AWS SDKs, so that it never runs twice unasked: invoke again to run it again (docs/cluster.md).' },
  InvocationUnconfirmedException: { status: 410, kind: 'Service', description: 'On a cluster, no node confirmed taking this synchronous invocation within the heartbeat TTL (at least 2 s): NATS handed it to a node that may be cut off from the cluster, and which may have run it. Not sent to another node and not retried by the AWS SDKs, so that it never runs twice unasked: invoke again to run it again (docs/cluster.md, "Dispatch").' },
  InvalidZipFileException: { status: 502, kind: 'Service', description: 'The stored code package of the function cannot be used.' },
  InvalidRuntimeException: { status: 502, kind: 'Service', description: 'The runtime of the function is not installed on this server.' },
} as const satisfies Record<string, ErrorSpec>;

export type ApiErrorName = keyof typeof API_ERRORS;

/** An error answered to the caller in Lambda's format. `extra` fields go into the JSON body. */
export class ApiError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  constructor(
    readonly errorName: ApiErrorName,
    message: string,
    readonly extra: Readonly<Record<string, string | number>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
    /** One of the error's alsoStatuses instead of its status. */
    status?: number,
  ) {
    super(message);
    const spec: ErrorSpec = API_ERRORS[errorName];
    if (status !== undefined && !spec.alsoStatuses?.includes(status)) throw new Error(`${errorName} is never answered with ${status} (src/errors.ts)`);
    this.status = status ?? spec.status;
    this.kind = API_ERRORS[errorName].kind;
  }
}

export function apiError(
  name: ApiErrorName,
  message: string,
  extra?: Record<string, string | number>,
  headers?: Record<string, string>,
): ApiError {
  return new ApiError(name, message, extra, headers);
}

/** 503 ServiceException: something lambkin needs is away for now (its database, NATS); the caller should retry shortly. */
export function unavailableError(message: string): ApiError {
  return new ApiError('ServiceException', message, {}, { 'retry-after': '1' }, 503);
}

/**
 * Function errors: the errorType of an invoke answered with X-Amz-Function-Error. Errors thrown by
 * the handler itself carry the handler's own class name; these are the ones the platform or the
 * runtime bootstraps produce.
 */
export const FUNCTION_ERRORS = {
  'Sandbox.Timedout': 'The invocation ran longer than the function\'s Timeout; the environment was stopped.',
  'Runtime.ExitError': 'The runtime process exited or was killed during init or an invocation.',
  'Runtime.OutOfMemory': 'The environment went over its MemorySize and was killed.',
  'Runtime.InvalidEntrypoint': 'The runtime could not be started (missing or non-executable bootstrap or interpreter).',
  'Runtime.HandlerNotFound': 'The handler method is not defined in the handler module.',
  'Runtime.ImportModuleError': 'The handler module could not be imported.',
  'Runtime.UserCodeSyntaxError': 'The handler module has a syntax error.',
  'Runtime.MalformedHandlerName': 'The handler string is not of the form file.method.',
  'Runtime.MarshalError': 'The handler\'s result could not be serialised to JSON.',
  'Runtime.UnmarshalError': 'The event could not be parsed as JSON.',
  'Runtime.InitTimeout': 'The runtime did not ask for its first invocation within the init timeout.',
  'Function.ResponseSizeTooLarge': 'The result is over 6291556 bytes (a streamed response to a streaming caller: over 20971520 bytes).',
  'Runtime.TruncatedResponse': 'A streamed response broke off (the runtime closed its connection) before it ended.',
  'Runtime.UnhandledPromiseRejection': 'Node.js: a promise rejected with no handler while the invocation ran.',
  'Runtime.Unknown': 'The runtime reported an error without saying its type.',
  'Runtime.BuiltInModuleConflict': 'Python: the handler module has the name of a standard library module (e.g. json.py).',
  'Extension.Crash': 'An extension exited (or lost its Extensions API connection) during init or an invocation; the environment was replaced.',
} as const;

export type FunctionErrorType = keyof typeof FUNCTION_ERRORS;

/**
 * The CloudWatch Logs API's errors (api/logs/errors.ts answers them as `{"__type", "message"}`):
 * CloudWatch's own names, all 400 but lambkin's own failure.
 */
export const LOGS_ERRORS = {
  InvalidParameterException: { status: 400, kind: 'User', description: 'A parameter is missing, malformed or out of range.' },
  ResourceNotFoundException: { status: 400, kind: 'User', description: 'The log group, log stream or query does not exist.' },
  SerializationException: { status: 400, kind: 'User', description: 'The request body is not valid JSON, or not the shape the operation takes.' },
  UnknownOperationException: { status: 400, kind: 'User', description: 'The X-Amz-Target names an operation lambkin does not implement.' },
  MalformedQueryException: { status: 400, kind: 'User', description: 'StartQuery: the Logs Insights query does not compile.' },
  LimitExceededException: { status: 400, kind: 'User', description: 'StartQuery: too many queries are scheduled or running.' },
  ResourceAlreadyExistsException: { status: 400, kind: 'User', description: 'CreateLogGroup / CreateLogStream: a log group or stream of that name exists.' },
  InvalidOperationException: { status: 400, kind: 'User', description: 'PutLogEvents / DeleteLogStream: the stream is written by a function, not made with CreateLogStream.' },
  TooManyTagsException: { status: 400, kind: 'User', description: 'The log group would have more than 50 tags.' },
  ServiceUnavailableException: { status: 500, alsoStatuses: [503], kind: 'Service', description: 'lambkin itself failed (500), or cannot reach its database or NATS right now (503): try again shortly.' },
} as const satisfies Record<string, ErrorSpec>;

export type LogsErrorName = keyof typeof LOGS_ERRORS;

/**
 * An error answered to a CloudWatch Logs caller as `{"__type", "message", ...fields}`: the Logs
 * API's counterpart of ApiError (another wire shape, all 400), thrown by the Logs operations and
 * by what they call (logs/insights refuses a query over its limits with one).
 */
export class LogsError extends Error {
  /** Members the error carries besides its message (MalformedQueryException's queryCompileError). */
  constructor(readonly errorName: LogsErrorName, message: string, readonly fields: Record<string, unknown> = {}) {
    super(message);
  }
}

/**
 * The Runtime API's refusals, answered to a runtime (or anything in the sandbox) as
 * `{"errorMessage", "errorType"}`. `statuses`: InvalidRequestID is 403 for an id that is not the
 * current invocation's and 400 for one that is not even valid percent-encoding.
 */
export const RUNTIME_API_ERRORS = {
  InvalidStateTransition: { statuses: [403], kind: 'User', description: 'The call is not legal in the environment\'s state (a second result, init/error after init, a stream past its invocation\'s end).' },
  InvalidRequestID: { statuses: [403, 400], kind: 'User', description: 'The request id is not the invocation this environment runs (403), or not valid percent-encoding (400).' },
  NotFound: { statuses: [404], kind: 'User', description: 'The method and path are not part of the Runtime API.' },
  RequestEntityTooLarge: { statuses: [413], kind: 'User', description: 'The posted response is over the payload limit.' },
  ServiceException: { statuses: [500], kind: 'Service', description: 'lambkin failed handling the request; the server log has the details.' },
  // The Extensions and Telemetry APIs, on the same listener.
  InvalidRequest: { statuses: [400], kind: 'User', description: 'An Extensions API request that is malformed: no usable Lambda-Extension-Name, a register body too large or without a valid events list.' },
  'Extension.InvalidState': { statuses: [403], kind: 'User', description: 'An extension registered after init (registration is open during init only).' },
  'Extension.AlreadyRegistered': { statuses: [409], kind: 'User', description: 'An extension of that name is registered already.' },
  'Extension.TooManyExtensions': { statuses: [403], kind: 'User', description: 'More than 10 extensions tried to register.' },
  'Extension.InvalidEventType': { statuses: [400], kind: 'User', description: 'An internal extension asked for SHUTDOWN events (only external ones get them), or an event type that does not exist.' },
  'Extension.UnknownExtensionIdentifier': { statuses: [403], kind: 'User', description: 'The Lambda-Extension-Identifier header names no registered extension.' },
  ValidationError: { statuses: [400], kind: 'User', description: 'A Telemetry API subscription that cannot be honoured (a bad destination or buffering, or a sandbox that cannot deliver to a listener in it).' },
} as const satisfies Record<string, { statuses: readonly number[]; kind: ErrorKind; description: string }>;

export type RuntimeApiErrorName = keyof typeof RUNTIME_API_ERRORS;

/** A Runtime API refusal whose name and status the compiler checks against the registry. */
export type RuntimeApiRefusal = {
  readonly [K in RuntimeApiErrorName]: {
    readonly status: (typeof RUNTIME_API_ERRORS)[K]['statuses'][number];
    readonly errorType: K;
    readonly errorMessage: string;
  };
}[RuntimeApiErrorName];

/**
 * The server cannot start as configured: a setting out of range, credentials half given or
 * unreadable, a database URL that is not one, a sandbox this machine cannot give. Thrown where the
 * fact is found (config.ts, credentials.ts, database/url.ts, sandbox/select.ts, the start steps);
 * `lambkin serve` and `lambkin init-credentials` print its message as a usage mistake (exit code
 * Failure), never a stack.
 */
export class ConfigError extends Error {}

/** How the lambkin CLI ends. */
export const CLI_EXIT_CODES = {
  Success: { code: 0, description: 'The command did what it was asked.' },
  FunctionError: { code: 1, description: '`invoke`: the function ran and failed (X-Amz-Function-Error).' },
  DoctorMissing: { code: 1, description: '`doctor`: something a runtime or the sandbox needs is missing on this machine.' },
  Failure: { code: 2, description: 'An API error, an unreachable server or a usage mistake; one line on stderr says which.' },
} as const satisfies Record<string, { code: number; description: string }>;
