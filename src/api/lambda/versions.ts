// PublishVersion (POST …/{name}/versions → 201) and ListVersionsByFunction (GET …/{name}/versions).
// A published version is an immutable snapshot of $LATEST's code and configuration (registry/lifecycle.ts).
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { json, type Operation } from '../http.js';
import type { LambdaApiDeps } from './deps.js';
import { unqualifiedName } from './function-name.js';
import { pageOf, parsePaging } from './paging.js';
import { parseBody } from './schemas.js';
import { toFunctionConfiguration } from './wire.js';
import { functionNotFound } from '../../registry/registry.js';

const PublishVersionRequest = z.strictObject({
  CodeSha256: z.string().optional(),
  Description: z.string().max(256).optional(),
  RevisionId: z.string().optional(),
  PublishTo: z.string().optional(), // capacity providers only: nothing to do here
});

export function publishVersion(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const name = unqualifiedName(deps.registry.arns, req.params.name ?? '');
    const body = parseBody(PublishVersionRequest, req.body);
    const record = await deps.registry.publish(name, {
      description: body.Description,
      codeSha256: body.CodeSha256 === undefined ? undefined : hexOfBase64(body.CodeSha256),
      revisionId: body.RevisionId,
    });
    return json(201, toFunctionConfiguration(deps.registry.arns, record));
  };
}

export function listVersions(deps: LambdaApiDeps): Operation {
  return (req) => {
    const name = unqualifiedName(deps.registry.arns, req.params.name ?? '');
    const latest = deps.registry.get(name);
    if (!latest) throw functionNotFound(deps.registry.arns, name);
    const all = [latest, ...deps.registry.lifecycle.versionsOf(name)];
    const paging = parsePaging(req.query);
    const page = pageOf(all, (r) => r.version, paging);
    return json(200, {
      Versions: page.items.map((r) => toFunctionConfiguration(deps.registry.arns, r)),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

function hexOfBase64(value: string): string {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32) throw apiError('InvalidParameterValueException', `CodeSha256 must be the base64 of a SHA-256 hash (got '${value}').`);
  return bytes.toString('hex');
}
