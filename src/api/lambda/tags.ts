// TagResource, UntagResource, ListTags (/2017-03-31/tags/{ARN}): a function's tags, the ones
// CreateFunction's Tags set. Tags belong to the function, not to a version or alias (as on
// Lambda), and changing them is not a change of its revision.
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { functionNotFound, type Registry } from '../../registry/registry.js';
import { json, type ApiRequest, type Operation, type Route } from '../http.js';
import { checkTags } from './config-input.js';
import { parseFunctionName } from './function-name.js';
import { parseBody } from './schemas.js';

const TagResourceRequest = z.strictObject({ Tags: z.record(z.string(), z.string()) });
const FUNCTION_ARN = /^arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** The function a tag request's ARN names; only unqualified function ARNs carry tags. */
function taggedFunction(registry: Registry, req: ApiRequest): string {
  const arn = req.params.arn ?? '';
  if (!FUNCTION_ARN.test(arn) || arn.length > 256) {
    throw apiError('ValidationException', `1 validation error detected: Value '${arn.slice(0, 200)}' at 'resource' failed to satisfy constraint: Member must be the ARN of a function (lambkin tags functions only)`);
  }
  const { name, qualifier } = parseFunctionName(registry.arns, arn);
  if (qualifier !== undefined) {
    throw apiError('InvalidParameterValueException', 'Tags on function aliases and versions are not supported. Please specify a function ARN.');
  }
  if (!registry.get(name)) throw functionNotFound(registry.arns, name);
  return name;
}

function tag(registry: Registry): Operation {
  return async (req) => {
    const name = taggedFunction(registry, req);
    const { Tags } = parseBody(TagResourceRequest, req.body);
    checkTags(Tags);
    // Checked again on the stored tags, in the write's transaction: the total stays within 50.
    await registry.setTags(name, (current) => checkTags({ ...current, ...Tags }));
    return { status: 204 };
  };
}

function untag(registry: Registry): Operation {
  return async (req) => {
    const name = taggedFunction(registry, req);
    const keys = req.query.getAll('tagKeys');
    if (keys.length === 0) throw apiError('ValidationException', "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    if (keys.length > 50) throw apiError('InvalidParameterValueException', 'At most 50 tag keys may be removed at once.');
    await registry.setTags(name, (current) => Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k))));
    return { status: 204 };
  };
}

function list(registry: Registry): Operation {
  return (req) => json(200, { Tags: { ...registry.get(taggedFunction(registry, req))!.tags } });
}

export function tagRoutes(registry: Registry): Route[] {
  const base = '/2017-03-31/tags/{arn}';
  return [
    { method: 'POST', pattern: base, operation: tag(registry) },
    { method: 'DELETE', pattern: base, operation: untag(registry) },
    { method: 'GET', pattern: base, operation: list(registry) },
  ];
}
