// AddLayerVersionPermission, RemoveLayerVersionPermission, GetLayerVersionPolicy: a layer version's
// policy, stored and shown as Lambda does. lambkin is one account, so the policy grants nothing
// it would check: it is kept for tools that read it back.
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { layerVersionNotFound } from '../../registry/layers.js';
import type { Registry } from '../../registry/registry.js';
import type { PolicyStatement } from '../../registry/store.js';
import { json, type ApiRequest, type Operation, type Route } from '../http.js';
import { layerName, layerVersionNumber } from './layer-input.js';
import { checkRoom, noPolicy, policyDocument, principalOf } from './policy-doc.js';
import { parseBody } from './schemas.js';

const STATEMENT_ID = /^[a-zA-Z0-9-_]{1,100}$/;

const AddRequest = z.strictObject({
  StatementId: z.string().min(1).max(100).regex(STATEMENT_ID),
  Action: z.literal('lambda:GetLayerVersion'),
  Principal: z.string().regex(/^(\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root)$/),
  OrganizationId: z.string().max(34).regex(/^o-[a-z0-9]{10,32}$/).optional(),
});

function target(registry: Registry, req: ApiRequest): { name: string; version: number } {
  const name = layerName(registry.arns, req.params.name ?? '');
  const version = layerVersionNumber(registry.arns, name, req.params.version ?? '');
  if (!registry.layers.get(name, version)) throw layerVersionNotFound(registry.arns, name, version);
  return { name, version };
}

function add(registry: Registry): Operation {
  return async (req) => {
    const { name, version } = target(registry, req);
    const body = parseBody(AddRequest, req.body);
    checkRoom(registry.layers.get(name, version)?.policy?.statements ?? []);
    const statement: PolicyStatement = {
      Sid: body.StatementId, Effect: 'Allow', Principal: principalOf(body.Principal), Action: body.Action,
      Resource: registry.arns.layerArn(name, version),
      ...(body.OrganizationId ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': body.OrganizationId } } } : {}),
    };
    const policy = await registry.layers.addStatement(name, version, statement, req.query.get('RevisionId') ?? undefined);
    return json(201, { Statement: JSON.stringify(statement), RevisionId: policy.revisionId });
  };
}

function remove(registry: Registry): Operation {
  return async (req) => {
    const { name, version } = target(registry, req);
    const sid = req.params.sid ?? '';
    if (!STATEMENT_ID.test(sid)) throw apiError('ValidationException', `1 validation error detected: Value '${sid.slice(0, 120)}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)`);
    await registry.layers.removeStatement(name, version, sid, req.query.get('RevisionId') ?? undefined);
    return { status: 204 };
  };
}

function get(registry: Registry): Operation {
  return (req) => {
    const { name, version } = target(registry, req);
    const policy = registry.layers.get(name, version)?.policy;
    if (!policy || policy.statements.length === 0) throw noPolicy();
    return json(200, { Policy: policyDocument(policy), RevisionId: policy.revisionId });
  };
}

export function layerPolicyRoutes(registry: Registry): Route[] {
  const base = '/2018-10-31/layers/{name}/versions/{version}/policy';
  return [
    { method: 'POST', pattern: base, operation: add(registry) },
    { method: 'GET', pattern: base, operation: get(registry) },
    { method: 'DELETE', pattern: `${base}/{sid}`, operation: remove(registry) },
  ];
}
