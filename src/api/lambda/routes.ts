// The control-plane routes of the Lambda REST API that manage functions.
import type { Route } from '../http.js';
import { createFunction } from './create-function.js';
import { deleteFunction } from './delete-function.js';
import type { LambdaApiDeps } from './deps.js';
import { downloadFunctionCode } from './download-function-code.js';
import { getFunctionConfiguration } from './get-function-configuration.js';
import { getFunction } from './get-function.js';
import { listFunctions } from './list-functions.js';
import { updateFunctionCode } from './update-function-code.js';
import { updateFunctionConfiguration } from './update-function-configuration.js';
import { MAX_ZIP_REQUEST_BYTES } from './config-input.js';

const BASE = '/2015-03-31/functions';

export function controlPlaneRoutes(deps: LambdaApiDeps): Route[] {
  const list = listFunctions(deps);
  return [
    { method: 'POST', pattern: BASE, operation: createFunction(deps), maxBody: MAX_ZIP_REQUEST_BYTES, operationName: 'CreateFunction' },
    // The SDK asks for /functions/ (trailing slash); curl users type /functions.
    { method: 'GET', pattern: `${BASE}/`, operation: list },
    { method: 'GET', pattern: BASE, operation: list },
    { method: 'GET', pattern: `${BASE}/{name}`, operation: getFunction(deps) },
    { method: 'GET', pattern: `${BASE}/{name}/configuration`, operation: getFunctionConfiguration(deps) },
    { method: 'GET', pattern: `${BASE}/{name}/code-download`, operation: downloadFunctionCode(deps) },
    { method: 'PUT', pattern: `${BASE}/{name}/code`, operation: updateFunctionCode(deps), maxBody: MAX_ZIP_REQUEST_BYTES, operationName: 'UpdateFunctionCode' },
    { method: 'PUT', pattern: `${BASE}/{name}/configuration`, operation: updateFunctionConfiguration(deps) },
    { method: 'DELETE', pattern: `${BASE}/{name}`, operation: deleteFunction(deps) },
  ];
}
