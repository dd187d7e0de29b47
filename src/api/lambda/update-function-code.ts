// UpdateFunctionCode: PUT /2015-03-31/functions/{name}/code → 200 FunctionConfiguration.
import { json, type Operation } from '../http.js';
import { functionNotFound } from '../../registry/registry.js';
import { checkArchitectures, checkRequestSize, zipFromRequest } from './config-input.js';
import type { LambdaApiDeps } from './deps.js';
import { unqualifiedName } from './function-name.js';
import { UpdateFunctionCodeRequest, parseBody } from './schemas.js';
import { toFunctionConfiguration } from './wire.js';

export function updateFunctionCode(deps: LambdaApiDeps): Operation {
  return async (req) => {
    checkRequestSize(req.body, 'UpdateFunctionCode');
    const name = unqualifiedName(deps.registry.arns, req.params.name ?? '');
    const body = parseBody(UpdateFunctionCodeRequest, req.body);
    checkArchitectures(body.Architectures);
    const zip = zipFromRequest(body);
    if (body.DryRun) {
      const current = deps.registry.get(name);
      if (!current) throw functionNotFound(deps.registry.arns, name);
      await deps.registry.checkCode(zip);
      return json(200, toFunctionConfiguration(deps.registry.arns, current));
    }
    const record = await deps.registry.updateCode(name, zip, body.RevisionId);
    deps.onFunctionChanged(name, '$LATEST');
    deps.onFunctionDeployed?.(record);
    // Publish: the new code becomes a version too, and the answer is that version (as on Lambda).
    return json(200, toFunctionConfiguration(deps.registry.arns, body.Publish ? await deps.registry.publish(name) : record));
  };
}
