// GetFunctionCodeSigningConfig (GET /2020-06-30/functions/{name}/code-signing-config): which code
// signing configuration a function names. lambkin verifies no signatures; it answers what
// CreateFunction's CodeSigningConfigArn set, or "" (none), as Lambda does, because tools such as
// Terraform read it for every function on every plan. Put/Delete stay not implemented.
import { json, type Operation, type Route } from '../http.js';
import type { Registry } from '../../registry/registry.js';
import { findFunction, unqualifiedName } from './function-name.js';

function get(registry: Registry): Operation {
  return (req) => {
    const fn = findFunction(registry, unqualifiedName(req.params.name ?? ''), null);
    return json(200, { CodeSigningConfigArn: fn.config.stored?.codeSigningConfigArn ?? '', FunctionName: fn.config.name });
  };
}

export function codeSigningRoutes(registry: Registry): Route[] {
  return [{ method: 'GET', pattern: '/2020-06-30/functions/{name}/code-signing-config', operation: get(registry) }];
}
