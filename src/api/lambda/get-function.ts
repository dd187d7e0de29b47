// GetFunction: GET /2015-03-31/functions/{name}?Qualifier= → {Configuration, Code, Tags}.
import { json, type ApiRequest, type Operation } from '../http.js';
import type { LambdaApiDeps } from './deps.js';
import { findFunction } from './function-name.js';
import { toFunctionConfiguration } from './wire.js';

export function getFunction(deps: LambdaApiDeps): Operation {
  return (req) => {
    const record = findFunction(deps.registry, req.params.name ?? '', req.query.get('Qualifier'));
    const name = record.config.name;
    // Tags and reserved concurrency belong to the function, not to a version.
    const fn = deps.registry.get(name) ?? record;
    const hasTags = Object.keys(fn.tags).length > 0;
    return json(200, {
      Configuration: toFunctionConfiguration(deps.registry.arns, record),
      // Lambda points at a presigned S3 URL; lambkin serves the stored zip itself.
      Code: { RepositoryType: 'S3', Location: codeLocation(req, name, record.version) },
      ...(hasTags ? { Tags: { ...fn.tags } } : {}),
      ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
    });
  };
}

function codeLocation(req: ApiRequest, name: string, version: string): string {
  const host = req.headers.host ?? '127.0.0.1:9000';
  const forwarded = req.headers['x-forwarded-proto'];
  const scheme = forwarded === 'https' ? 'https' : 'http';
  const qualifier = version === '$LATEST' ? '' : `?Qualifier=${version}`;
  return `${scheme}://${host}/2015-03-31/functions/${encodeURIComponent(name)}/code-download${qualifier}`;
}
