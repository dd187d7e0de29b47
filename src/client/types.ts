// Lambda's wire shapes as lambkin's REST API speaks them (field names exactly as on the wire).
// Response types list what lambkin answers; optional fields may be missing on older servers.
import type { EgressWire } from '../wire.js';

export interface EnvironmentWire {
  readonly Variables?: Readonly<Record<string, string>>;
}

export interface LoggingConfigWire {
  readonly LogFormat?: 'Text' | 'JSON';
  readonly LogGroup?: string;
  readonly ApplicationLogLevel?: string;
  readonly SystemLogLevel?: string;
}

/** lambkin's own function settings, beside Lambda's: written and read back under the same names. */
export interface LambkinExtensions {
  /** false switches capture of the function's output off. */
  readonly LambkinLogging?: boolean;
  /** Callers see a generic error message; the details go to the logs. */
  readonly LambkinSanitizeErrors?: boolean;
  /** Each environment serves one invocation, then is destroyed (no state survives between invocations). */
  readonly LambkinSingleUse?: boolean;
  /** Keep each invocation's event and response (capped at 64 KiB) for the console. */
  readonly LambkinRecordPayloads?: boolean;
  /** Where its environments may send packets (public: no private addresses; all; none) plus IPv4 CIDRs always allowed. */
  readonly LambkinEgress?: EgressWire;
}

/** A function's configuration as answered; lambkin's extensions present only when they differ from the default. */
export interface FunctionConfiguration extends LambkinExtensions {
  readonly FunctionName: string;
  readonly FunctionArn: string;
  readonly Runtime: string;
  readonly Role?: string;
  readonly Handler: string;
  readonly CodeSize: number;
  /** base64 of the zip's sha256. */
  readonly CodeSha256: string;
  readonly Description?: string;
  readonly Timeout: number;
  readonly MemorySize: number;
  /** ISO 8601 with +0000, e.g. 2026-11-27T04:39:51.123+0000. */
  readonly LastModified: string;
  readonly Version: string;
  readonly Environment?: EnvironmentWire;
  readonly State?: string;
  readonly LastUpdateStatus?: string;
  readonly RevisionId?: string;
  readonly LoggingConfig?: LoggingConfigWire;
  readonly PackageType?: string;
  readonly Architectures?: readonly string[];
  readonly EphemeralStorage?: { readonly Size: number };
  readonly Layers?: readonly { readonly Arn: string; readonly CodeSize: number }[];
}

export interface GetFunctionOutput {
  readonly Configuration: FunctionConfiguration;
  readonly Code?: { readonly Location?: string; readonly RepositoryType?: string };
  readonly Concurrency?: { readonly ReservedConcurrentExecutions?: number };
  readonly Tags?: Readonly<Record<string, string>>;
}

export interface ListFunctionsOutput {
  readonly Functions: readonly FunctionConfiguration[];
  readonly NextMarker?: string;
}

/** What UpdateFunctionConfiguration can change (all optional: only given fields change). */
export interface FunctionSettings extends LambkinExtensions {
  readonly Runtime?: string;
  readonly Handler?: string;
  readonly Role?: string;
  readonly Description?: string;
  readonly MemorySize?: number;
  readonly Timeout?: number;
  readonly Environment?: EnvironmentWire;
  readonly LoggingConfig?: LoggingConfigWire;
  readonly EphemeralStorage?: { readonly Size: number };
  /** Layer version ARNs, merged at /opt in this order (replaces the list; [] removes them all). */
  readonly Layers?: readonly string[];
}

// LambkinEgress's shape is the server's own definition.
export type { EgressWire } from '../wire.js';

export interface CreateFunctionInput extends FunctionSettings {
  readonly FunctionName: string;
  /** The zip package; the client base64-encodes it. */
  readonly ZipFile: Uint8Array;
  readonly Publish?: boolean;
  readonly Tags?: Readonly<Record<string, string>>;
}

export interface UpdateFunctionConfigurationInput extends FunctionSettings {
  readonly RevisionId?: string;
}

export interface UpdateFunctionCodeOptions {
  readonly publish?: boolean;
  readonly revisionId?: string;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeOptions {
  readonly qualifier?: string;
  readonly invocationType?: InvocationType;
  readonly logType?: 'None' | 'Tail';
  /** Base64 of a JSON client context, passed as X-Amz-Client-Context. */
  readonly clientContext?: string;
}

export interface InvokeResult {
  /** 200 sync, 202 Event, 204 DryRun. A function error is still 200, with functionError set. */
  readonly statusCode: number;
  readonly payload: Buffer;
  /** X-Amz-Function-Error, e.g. 'Unhandled'. */
  readonly functionError?: string;
  readonly executedVersion?: string;
  /** x-amzn-RequestId: the invocation's request id (for Event invokes, the id it will run with). */
  readonly requestId?: string;
  /** X-Amz-Log-Result as on the wire (base64 of the log tail). */
  readonly logResult?: string;
  /** logResult decoded to text. */
  readonly log?: string;
}

/** Warm environments of $LATEST (lambkin's own: GET/PUT /lambkin/v1/functions/{name}/warm). */
export interface WarmStatus {
  readonly requested: number;
  /** Initialised and serving (idle or busy). */
  readonly available: number;
  /** READY once `available` reaches `requested`; FAILED when they keep failing to initialise. */
  readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  readonly reason?: string;
}

/** A debug environment waiting for its function's next invocation (POST /lambkin/v1/functions/{name}/debug). */
export interface DebugSession {
  readonly functionName: string;
  readonly version: string;
  readonly runtime: string;
  readonly protocol: 'inspector' | 'debugpy' | 'jdwp';
  /** 127.0.0.1:PORT on the server's machine. */
  readonly address: string;
  readonly port: number;
  /** What to attach with. */
  readonly attach: string;
  /** Its invocation's timeout is suspended, up to this. */
  readonly timeoutSuspendedUpToSeconds: number;
}
