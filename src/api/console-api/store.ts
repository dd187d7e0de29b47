// The ConsoleStore interface: what the console keeps beyond the registry and the log store, with
// exactly the operations console-api/ uses. Each function's deploy history (creates, code and
// configuration updates, publishes, deletes; newest first, the last 200 per function), and the
// recorded events and responses of functions that opted in (LambkinRecordPayloads), kept for 7 days
// and at most 100,000 invocations; both limits are swept by the store itself. Implementations:
// sqlite-store.ts (<dataDir>/console.db, the default) and postgres-store.ts. Every one passes
// test/conformance/console-store-cases.ts.
//
// Recorded payloads come on their own path (payloads.ts): taken off the invocation records before
// the log store, and written here together per turn of the event loop, not one per invoke.
import type { RecordedPayload } from '../../logs/types.js';

export interface Deploy {
  readonly functionName: string;
  readonly at: number;
  readonly kind: 'create' | 'code' | 'configuration' | 'publish' | 'delete';
  readonly version: string | undefined;
  readonly codeSha256: string | undefined;
  readonly codeSize: number | undefined;
  readonly revisionId: string | undefined;
  readonly runtime: string | undefined;
  readonly handler: string | undefined;
  readonly memorySize: number | undefined;
  readonly timeout: number | undefined;
}

export interface RecordedItem {
  readonly requestId: string;
  /** When the invocation started (ms since epoch): what the 7 days are counted from. */
  readonly at: number;
  readonly payload: RecordedPayload;
}

export interface ConsoleStoreOptions {
  /** Deploys kept per function (the newest). */
  readonly maxDeploysPerFunction?: number;
  /** Recorded payloads are kept this long after their invocation started. */
  readonly keepPayloadsMs?: number;
  /** Recorded payloads kept at most (the newest). */
  readonly maxPayloads?: number;
  /** How often the payload limits are applied. */
  readonly sweepIntervalMs?: number;
}

export const MAX_DEPLOYS_PER_FUNCTION = 200;
export const KEEP_PAYLOADS_MS = 7 * 24 * 3600 * 1000;
export const MAX_PAYLOADS = 100_000;
export const PAYLOAD_SWEEP_INTERVAL_MS = 10 * 60_000;

export interface ConsoleStore {
  /** Write a deploy down; a function keeps its newest maxDeploysPerFunction. */
  addDeploy(deploy: Deploy): Promise<void>;

  /** A function's deploys, newest first, `limit` at most. */
  deploys(functionName: string, limit: number): Promise<Deploy[]>;

  /** Store several at once, all or none; a request id recorded again replaces the earlier one. */
  addPayloads(items: readonly RecordedItem[]): Promise<void>;

  payload(requestId: string): Promise<RecordedPayload | undefined>;

  /** Let writes under way finish, stop sweeping, release the store (after the log store's last batch). */
  close(): Promise<void>;
}
