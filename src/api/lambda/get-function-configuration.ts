// GetFunctionConfiguration: GET /2015-03-31/functions/{name}/configuration?Qualifier=.
import { json, type Operation } from '../http.js';
import type { LambdaApiDeps } from './deps.js';
import { findFunction } from './function-name.js';
import { toFunctionConfiguration } from './wire.js';

export function getFunctionConfiguration(deps: LambdaApiDeps): Operation {
  return (req) => {
    const record = findFunction(deps.registry, req.params.name ?? '', req.query.get('Qualifier'));
    return json(200, toFunctionConfiguration(deps.registry.arns, record));
  };
}
