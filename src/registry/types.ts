// The registry's data model: what a function is, as stored. Values handed out are frozen.
import type { EgressPolicy } from '../egress.js';

export interface LoggingConfig {
  readonly logFormat: 'Text' | 'JSON';
  readonly logGroup: string; // default /aws/lambda/<name>
  /** lambkin extension: false switches capture of function output off (records are still kept). */
  readonly enabled: boolean;
}

/** Everything UpdateFunctionConfiguration can change, plus the name. */
export interface FunctionConfig {
  readonly name: string;
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly description: string;
  readonly memorySize: number; // MB, 128..10240
  readonly timeout: number; // seconds, 1..900
  readonly ephemeralStorage: number; // MB, 512..10240
  readonly environment: Readonly<Record<string, string>>;
  readonly loggingConfig: LoggingConfig;
  /** lambkin extension: callers see a generic error; details go to the logs. */
  readonly sanitizeErrors: boolean;
  /** lambkin extension: each environment serves one invocation, then is destroyed. Off by default. */
  readonly singleUse?: boolean;
  /** lambkin extension: keep each invocation's event and response (capped) for the console. Off by default. */
  readonly recordPayloads?: boolean;
  /** lambkin extension (LambkinEgress): where its environments may send packets; undefined = public only. */
  readonly egress?: EgressConfig;
  /** Layer versions merged at /opt, in order (a later one's files win). Undefined or empty: none. */
  readonly layers?: readonly LayerRef[];
  /** Fields Lambda has that lambkin stores and returns but does not act on (docs/compatibility.md). */
  readonly stored?: StoredOnlyConfig;
}

/**
 * A layer version a function uses. The code hash is kept with the function, so the layer's code
 * stays (and keeps working for it) after DeleteLayerVersion, as on Lambda.
 */
export interface LayerRef {
  readonly arn: string;
  readonly codeSha256: string;
  readonly codeSize: number;
}

/** Accepted, stored and echoed as set; lambkin has nothing to do with them. */
export interface StoredOnlyConfig {
  readonly tracingMode?: 'Active' | 'PassThrough';
  readonly snapStartApplyOn?: 'PublishedVersions' | 'None';
  readonly kmsKeyArn?: string;
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[]; readonly ipv6AllowedForDualStack: boolean };
  readonly deadLetterTargetArn?: string;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
  /** CreateFunction's CodeSigningConfigArn (GetFunctionCodeSigningConfig shows it; nothing is verified). */
  readonly codeSigningConfigArn?: string;
}

/** public: the internet but no private, link-local or host address; all: anything; none: nothing. Plus IPv4 CIDRs always allowed. */
export type EgressConfig = EgressPolicy;

/**
 * One version of a function as stored: configuration, code and bookkeeping. `version` is
 * '$LATEST' (the mutable one) or '1', '2', … (published: immutable snapshots of $LATEST).
 */
export interface FunctionRecord {
  readonly config: FunctionConfig;
  readonly version: string; // '$LATEST' | '1' | '2' | …
  readonly codeSha256: string; // lowercase hex of the zip's sha256 (content address)
  readonly codeSize: number; // bytes of the zip
  readonly revisionId: string; // uuid, changes on every update
  readonly lastModified: string; // ISO 8601, e.g. 2026-11-27T04:39:51.123+0000
  readonly tags: Readonly<Record<string, string>>;
  /** PutFunctionConcurrency's ReservedConcurrentExecutions; undefined = none. */
  readonly reservedConcurrency: number | undefined;
  /** Absolute path of the unpacked code (read-only; environments copy or mount it). */
  readonly codeDir: string;
  /** Absolute paths of its layers' unpacked code, in order (environments merge them at /opt). */
  readonly layerDirs?: readonly string[];
}

export interface ListPage {
  readonly functions: readonly FunctionRecord[];
  readonly nextMarker?: string;
}

/** An alias: a name for one version, optionally with part of the traffic routed to a second one. */
export interface AliasRecord {
  readonly functionName: string;
  readonly name: string;
  readonly functionVersion: string; // '$LATEST' or a published version
  readonly description: string;
  /** RoutingConfig.AdditionalVersionWeights: version → share of invokes (0..1); at most one entry. */
  readonly weights: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

/** What a qualifier designates: a version, or an alias and the version it points to. */
export interface Resolved {
  readonly record: FunctionRecord;
  readonly alias?: AliasRecord;
}
