// CreateFunction: POST /2015-03-31/functions → 201 FunctionConfiguration.
import { apiError } from '../../errors.js';
import { json, type Operation } from '../http.js';
import { checkArchitectures, checkRequestSize, checkTags, newConfig, zipFromRequest } from './config-input.js';
import type { LambdaApiDeps } from './deps.js';
import { parseFunctionName } from './function-name.js';
import { functionLayers } from './layer-input.js';
import { CreateFunctionRequest, parseBody } from './schemas.js';
import { toFunctionConfiguration } from './wire.js';

const MAX_CREATE_NAME_LENGTH = 140;

export function createFunction(deps: LambdaApiDeps): Operation {
  return async (req) => {
    checkRequestSize(req.body, 'CreateFunction');
    const body = parseBody(CreateFunctionRequest, req.body);
    const { name, qualifier } = parseFunctionName(deps.registry.arns, body.FunctionName, MAX_CREATE_NAME_LENGTH);
    if (qualifier !== undefined) {
      throw apiError('InvalidParameterValueException', `A new function is named without a qualifier (got '${body.FunctionName}').`);
    }
    if (body.PackageType === 'Image') {
      throw apiError('InvalidParameterValueException', 'lambkin supports PackageType Zip only.');
    }
    if (body.TenancyConfig !== undefined) {
      throw apiError('InvalidParameterValueException', 'TenancyConfig is not supported by lambkin.');
    }
    checkArchitectures(body.Architectures);
    // Everything is validated before anything is written; the registry then validates the zip
    // before it commits the function.
    const layers = functionLayers(deps.registry, body.Layers);
    const base = newConfig(name, body);
    const signing = body.CodeSigningConfigArn ? { stored: { ...base.stored, codeSigningConfigArn: body.CodeSigningConfigArn } } : {};
    const config = { ...base, ...signing, ...(layers && layers.length > 0 ? { layers } : {}) };
    const tags = checkTags(body.Tags ?? {});
    const zip = zipFromRequest(body.Code);
    // Publish: version 1 is stored with the function, in one transaction, and the answer is that
    // version (as on Lambda).
    const record = await deps.registry.create({ config, zip, tags, publish: body.Publish === true });
    deps.onFunctionDeployed?.(record);
    return json(201, toFunctionConfiguration(deps.registry.arns, record));
  };
}
