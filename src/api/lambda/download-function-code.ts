// GET /2015-03-31/functions/{name}/code-download: the stored zip, where GetFunction's
// Code.Location points (lambkin's stand-in for Lambda's presigned S3 URL).
import type { Operation } from '../http.js';
import type { LambdaApiDeps } from './deps.js';
import { findFunction } from './function-name.js';

export function downloadFunctionCode(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const record = findFunction(deps.registry, req.params.name ?? '', req.query.get('Qualifier'));
    const zip = await deps.registry.codeZip(record);
    return {
      status: 200,
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${record.config.name}.zip"`,
      },
      body: zip,
    };
  };
}
