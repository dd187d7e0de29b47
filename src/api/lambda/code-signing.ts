// A function's code signing configuration: GetFunctionCodeSigningConfig, PutFunctionCodeSigningConfig,
// DeleteFunctionCodeSigningConfig (/2020-06-30/functions/{name}/code-signing-config). lambkin
// verifies no signatures and has no code signing configs of its own: it stores the ARN a function
// names (here or in CreateFunction) and answers it, or "" for none, as Lambda does, because tools
// such as Terraform read it for every function on every plan (docs/compatibility.md).
import { z } from 'zod';
import type { Registry } from '../../registry/registry.js';
import { json, type Operation, type Route } from '../http.js';
import { findFunction, unqualifiedName } from './function-name.js';
import { parseBody } from './schemas.js';

const CSC_ARN = /^arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:code-signing-config:csc-[a-z0-9]{17}$/;
const PutRequest = z.strictObject({ CodeSigningConfigArn: z.string().max(200).regex(CSC_ARN) });

function get(registry: Registry): Operation {
  return (req) => {
    const fn = findFunction(registry, unqualifiedName(registry.arns, req.params.name ?? ''), null);
    return json(200, { CodeSigningConfigArn: fn.config.stored?.codeSigningConfigArn ?? '', FunctionName: fn.config.name });
  };
}

function put(registry: Registry): Operation {
  return async (req) => {
    const fn = findFunction(registry, unqualifiedName(registry.arns, req.params.name ?? ''), null);
    const { CodeSigningConfigArn } = parseBody(PutRequest, req.body);
    await registry.updateConfig(fn.config.name, { stored: { ...fn.config.stored, codeSigningConfigArn: CodeSigningConfigArn } });
    return json(200, { CodeSigningConfigArn, FunctionName: fn.config.name });
  };
}

function remove(registry: Registry): Operation {
  return async (req) => {
    const fn = findFunction(registry, unqualifiedName(registry.arns, req.params.name ?? ''), null);
    if (fn.config.stored?.codeSigningConfigArn) {
      const { codeSigningConfigArn: _dropped, ...rest } = fn.config.stored;
      await registry.updateConfig(fn.config.name, { stored: rest });
    }
    return { status: 204 };
  };
}

export function codeSigningRoutes(registry: Registry): Route[] {
  const path = '/2020-06-30/functions/{name}/code-signing-config';
  return [
    { method: 'GET', pattern: path, operation: get(registry) },
    { method: 'PUT', pattern: path, operation: put(registry) },
    { method: 'DELETE', pattern: path, operation: remove(registry) },
  ];
}
