// GetAccountSettings: GET /2016-08-19/account-settings/ → {AccountLimit, AccountUsage}. One lambkin
// server is one account; its concurrency limit is --max-concurrency.
import { json, type Operation, type Route } from '../http.js';
import type { Registry } from '../../registry/registry.js';
import { LAMBDA_LIMITS } from '../../registry/unzip.js';

/** A zip uploaded in the request (CreateFunction/UpdateFunctionCode ZipFile): 50 MB. */
const CODE_SIZE_ZIPPED = 52_428_800;

/**
 * What reservations must leave to the functions without one. Lambda keeps 100 of its default
 * 1,000 unreserved; lambkin keeps the same tenth of --max-concurrency, rounded up (1 at least).
 */
export function unreservedMinimum(maxConcurrency: number): number {
  return Math.max(1, Math.ceil(maxConcurrency / 10));
}

/** The sum of all reservations, leaving out `except` (the function whose reservation is changing). */
export function totalReserved(registry: Registry, except?: string): number {
  return registry.all().filter((f) => f.config.name !== except).reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
}

function getAccountSettings(registry: Registry, maxConcurrency: number): Operation {
  return () => json(200, {
    AccountLimit: {
      TotalCodeSize: registry.codeStorageLimit, // Lambda's 75 GB unless --code-storage-limit says otherwise
      CodeSizeUnzipped: LAMBDA_LIMITS.maxBytes,
      CodeSizeZipped: CODE_SIZE_ZIPPED,
      ConcurrentExecutions: maxConcurrency,
      UnreservedConcurrentExecutions: maxConcurrency - totalReserved(registry),
    },
    AccountUsage: {
      TotalCodeSize: registry.totalCodeSize(),
      FunctionCount: registry.all().length,
    },
  });
}

export function accountSettingsRoutes(registry: Registry, maxConcurrency: number): Route[] {
  // The router ignores a trailing slash: …/account-settings/ is served too.
  return [{ method: 'GET', pattern: '/2016-08-19/account-settings', operation: getAccountSettings(registry, maxConcurrency) }];
}
