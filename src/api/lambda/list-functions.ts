// ListFunctions: GET /2015-03-31/functions/?Marker=&MaxItems= → {Functions, NextMarker?}.
import { apiError } from '../../errors.js';
import { json, type Operation } from '../http.js';
import type { LambdaApiDeps } from './deps.js';
import { toFunctionConfiguration } from './wire.js';

const MAX_ITEMS_LIMIT = 10000; // the model's bound; pages are cut at 50 anyway, as on Lambda

export function listFunctions(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const maxItems = parseMaxItems(req.query.get('MaxItems'));
    const version = req.query.get('FunctionVersion');
    if (version !== null && version !== 'ALL') {
      throw validation(`Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
    }
    // MasterRegion (Lambda@Edge replicas) has nothing to select here and is ignored.
    const marker = req.query.get('Marker') || undefined;
    const page = await deps.registry.list(marker, maxItems);
    return json(200, {
      // FunctionVersion=ALL lists each function's published versions after its $LATEST.
      Functions: page.functions
        .flatMap((f) => (version === 'ALL' ? [f, ...deps.registry.lifecycle.versionsOf(f.config.name)] : [f]))
        .map((r) => toFunctionConfiguration(deps.registry.arns, r)),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

function parseMaxItems(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw apiError('InvalidRequestContentException', `MaxItems must be an integer (got '${raw}').`);
  const n = Number(raw);
  if (n < 1) throw validation(`Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  if (n > MAX_ITEMS_LIMIT) {
    throw validation(`Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to ${MAX_ITEMS_LIMIT}`);
  }
  return n;
}

function validation(detail: string): Error {
  return apiError('ValidationException', `1 validation error detected: ${detail}`);
}
