// DeleteFunction: DELETE /2015-03-31/functions/{name}?Qualifier= → 204. With a qualifier, one
// published version goes (refused while an alias points at it); without, the function and all
// its versions, aliases and settings.
import { apiError } from '../../errors.js';
import type { Operation } from '../http.js';
import { functionNotFound } from '../../registry/registry.js';
import type { LambdaApiDeps } from './deps.js';
import { parseFunctionName, resolveQualifier } from './function-name.js';

export function deleteFunction(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const { name, qualifier } = parseFunctionName(deps.registry.arns, req.params.name ?? '');
    const wanted = resolveQualifier(qualifier, req.query.get('Qualifier'));
    if (wanted === '$LATEST') {
      throw apiError('InvalidParameterValueException', '$LATEST version cannot be deleted without deleting the function.');
    }
    if (wanted !== undefined) {
      if (!deps.registry.get(name)) throw functionNotFound(deps.registry.arns, name);
      if (!/^[0-9]+$/.test(wanted)) {
        throw apiError('InvalidParameterValueException', `Deletion of aliases is not supported by DeleteFunction: use DeleteAlias for '${wanted}'.`);
      }
      await deps.registry.lifecycle.deleteVersion(name, wanted);
      deps.onFunctionChanged(name, wanted);
      return { status: 204 };
    }
    if (!(await deps.registry.delete(name))) throw functionNotFound(deps.registry.arns, name);
    deps.onFunctionChanged(name);
    return { status: 204 };
  };
}
