// What the control-plane operations need from the rest of the server (wired in server.ts).
import type { Registry } from '../../registry/registry.js';
import type { FunctionRecord } from '../../registry/types.js';

export interface LambdaApiDeps {
  readonly registry: Registry;
  /**
   * Called after every successful update or delete, so warm environments of it get retired: of
   * one version (an update changes $LATEST; a delete may name a version), or of all (undefined).
   */
  onFunctionChanged(name: string, version?: string): void;
  /**
   * Called after CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration: the function's
   * first invoke is near, so a sandbox for it may be started now (scheduler.deployed).
   */
  onFunctionDeployed?(fn: FunctionRecord): void;
}
