// Settings lambkin stores and answers but has nothing to act on (docs/compatibility.md), because
// infrastructure tools write and read them back: GetRuntimeManagementConfig and
// PutRuntimeManagementConfig (per version; lambkin runs the server's interpreter, there is no
// runtime version to pin) and GetFunctionRecursionConfig and PutFunctionRecursionConfig (lambkin
// has no event sources whose loops it would stop).
import { z } from 'zod';
import { apiError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import { json, type Operation, type Route } from '../http.js';
import { findQualified, findFunction, unqualifiedName } from './function-name.js';
import { parseBody } from './schemas.js';

interface RuntimeManagement {
  readonly UpdateRuntimeOn: 'Auto' | 'FunctionUpdate' | 'Manual';
  readonly RuntimeVersionArn?: string;
}

const PutRuntimeManagement = z.strictObject({
  UpdateRuntimeOn: z.enum(['Auto', 'FunctionUpdate', 'Manual']),
  RuntimeVersionArn: z.string().min(26).max(2048).regex(/^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}::runtime:.+$/).optional(),
});
const PutRecursion = z.strictObject({ RecursiveLoop: z.enum(['Allow', 'Terminate']) });

/** A version named by the path and ?Qualifier= ($LATEST or a number; aliases have none, as on Lambda). */
function version(registry: Registry, raw: string, query: string | null): { name: string; qualifier: string } {
  const found = findQualified(registry, raw, query);
  if (found.resolved.alias) throw apiError('InvalidParameterValueException', 'Runtime management configuration applies to $LATEST or a published version, not to an alias.');
  return { name: found.name, qualifier: found.qualifier ?? '$LATEST' };
}

function getRuntime(registry: Registry): Operation {
  return (req) => {
    const { name, qualifier } = version(registry, req.params.name ?? '', req.query.get('Qualifier'));
    const value = registry.lifecycle.setting<RuntimeManagement>(name, qualifier, 'runtime-management') ?? { UpdateRuntimeOn: 'Auto' };
    return json(200, { ...value, FunctionArn: registry.arns.functionArn(name, qualifier) });
  };
}

function putRuntime(registry: Registry): Operation {
  return async (req) => {
    const { name, qualifier } = version(registry, req.params.name ?? '', req.query.get('Qualifier'));
    const body = parseBody(PutRuntimeManagement, req.body);
    if (body.UpdateRuntimeOn === 'Manual' && !body.RuntimeVersionArn) {
      throw apiError('InvalidParameterValueException', 'RuntimeVersionArn is required when UpdateRuntimeOn is Manual.');
    }
    const value: RuntimeManagement = body.UpdateRuntimeOn === 'Manual' ? body : { UpdateRuntimeOn: body.UpdateRuntimeOn };
    await registry.lifecycle.putSetting(name, qualifier, 'runtime-management', value);
    return json(200, { ...value, FunctionArn: registry.arns.functionArn(name, qualifier) });
  };
}

function getRecursion(registry: Registry): Operation {
  return (req) => {
    const fn = findFunction(registry, unqualifiedName(registry.arns, req.params.name ?? ''), null);
    return json(200, registry.lifecycle.setting(fn.config.name, '$LATEST', 'recursion') ?? { RecursiveLoop: 'Terminate' });
  };
}

function putRecursion(registry: Registry): Operation {
  return async (req) => {
    const fn = findFunction(registry, unqualifiedName(registry.arns, req.params.name ?? ''), null);
    const body = parseBody(PutRecursion, req.body);
    await registry.lifecycle.putSetting(fn.config.name, '$LATEST', 'recursion', body);
    return json(200, body);
  };
}

export function storedSettingRoutes(registry: Registry): Route[] {
  const runtime = '/2021-07-20/functions/{name}/runtime-management-config';
  const recursion = '/2024-08-31/functions/{name}/recursion-config';
  return [
    { method: 'GET', pattern: runtime, operation: getRuntime(registry) },
    { method: 'PUT', pattern: runtime, operation: putRuntime(registry) },
    { method: 'GET', pattern: recursion, operation: getRecursion(registry) },
    { method: 'PUT', pattern: recursion, operation: putRecursion(registry) },
  ];
}
