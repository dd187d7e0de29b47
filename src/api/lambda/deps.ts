// What the control-plane operations need from the rest of the server (wired in server.ts).
import type { Registry } from '../../registry/registry.js';

export interface LambdaApiDeps {
  readonly registry: Registry;
  /**
   * Called after every successful update or delete, so warm environments of it get retired: of
   * one version (an update changes $LATEST; a delete may name a version), or of all (undefined).
   */
  onFunctionChanged(name: string, version?: string): void;
}
