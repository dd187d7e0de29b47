// DeleteFunction: DELETE /2015-03-31/functions/{name}?Qualifier= → 204.
import { apiError } from '../../errors.js';
import type { Operation } from '../http.js';
import { functionNotFound } from '../../registry/registry.js';
import type { LambdaApiDeps } from './deps.js';
import { parseFunctionName, resolveQualifier } from './function-name.js';

export function deleteFunction(deps: LambdaApiDeps): Operation {
  return (req) => {
    const { name, qualifier } = parseFunctionName(req.params.name ?? '');
    const wanted = resolveQualifier(qualifier, req.query.get('Qualifier'));
    if (wanted === '$LATEST') {
      throw apiError('InvalidParameterValueException', '$LATEST version cannot be deleted without deleting the function.');
    }
    // A qualifier names a published version; there are none until versions are implemented.
    if (wanted !== undefined) throw functionNotFound(name, wanted);
    if (!deps.registry.delete(name)) throw functionNotFound(name);
    deps.onFunctionChanged(name);
    return { status: 204 };
  };
}
