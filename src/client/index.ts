// client/ owns the typed HTTP client for lambkin's APIs: the Lambda REST API, the investigation API and
// Logs Insights (CloudWatch Logs). Used by cli/, console/ and tests; it knows nothing of the server's internals.
export { LambkinClient, DEFAULT_ENDPOINT, type LambkinClientOptions } from './client.js';
export { LambkinApiError, LambkinConnectionError, isApiError } from './errors.js';
export { credentialsFromEnv, signerFor, type Credentials, type HttpRequest, type Signer } from './sign.js';
export type * from './types.js';
export { InvestigationClient } from './investigate.js';
export type * from './investigate.js';
export { AsyncQueueClient } from './async.js';
export type * from './async.js';
export type * from './runtimes.js';
export type * from './nodes.js';
export { LifecycleClient, isUnknownOperation } from './lifecycle.js';
export type * from './lifecycle.js';
export { LayersClient } from './layers.js';
export type * from './layers.js';
export { InsightsClient } from './insights.js';
export type * from './insights.js';
