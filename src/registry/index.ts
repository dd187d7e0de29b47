// registry/ owns what a function *is*: its configuration, versions, aliases and settings in a
// RegistryStore (store.ts; sqlite/ by default, postgres/ with --database-url), its code in a
// content-addressed, crash-safe code store (code-store.ts) unpacked safely (unzip.ts), and the
// ARNs that name it (arn.ts). It validates packages, not requests: api/ does that.
export { ACCOUNT_ID, Arns, DEFAULT_ROLE } from './arn.js';
export { MAX_LIST_ITEMS, Registry, functionNotFound, type ConfigPatch, type CreateInput, type RegistryOptions } from './registry.js';
export type { AliasRecord, FunctionConfig, FunctionRecord, ListPage, LoggingConfig, Resolved } from './types.js';
export { aliasNotFound, type AliasInput, type SettingKind } from './lifecycle.js';
export { LAMBDA_LIMITS, type UnzipLimits } from './unzip.js';
export type { RegistryStore, RegistryContents, FunctionRow, VersionRow, AliasRow, SettingRow } from './store.js';
