// UpdateFunctionConfiguration: PUT /2015-03-31/functions/{name}/configuration → 200 FunctionConfiguration.
import { json, type Operation } from '../http.js';
import { functionNotFound } from '../../registry/registry.js';
import { configPatch } from './config-input.js';
import type { LambdaApiDeps } from './deps.js';
import { unqualifiedName } from './function-name.js';
import { functionLayers } from './layer-input.js';
import { UpdateFunctionConfigurationRequest, parseBody } from './schemas.js';
import { toFunctionConfiguration } from './wire.js';

export function updateFunctionConfiguration(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const name = unqualifiedName(deps.registry.arns, req.params.name ?? '');
    const body = parseBody(UpdateFunctionConfigurationRequest, req.body);
    const current = deps.registry.get(name);
    if (!current) throw functionNotFound(deps.registry.arns, name);
    const { RevisionId, ...members } = body;
    const layers = functionLayers(deps.registry, members.Layers);
    const patch = { ...configPatch(members, current.config.loggingConfig, current.config.stored), ...(layers ? { layers } : {}) };
    const record = await deps.registry.updateConfig(name, patch, RevisionId);
    deps.onFunctionChanged(name, '$LATEST');
    deps.onFunctionDeployed?.(record);
    return json(200, toFunctionConfiguration(deps.registry.arns, record));
  };
}
