// AddPermission, GetPolicy, RemovePermission: a function's resource policy, one per qualifier
// (unqualified and $LATEST share one), stored as a per-qualifier setting and shown as Lambda shows
// it: a policy document whose statements say who may call which action, with a RevisionId that
// changes with each statement. lambkin has one account and one set of credentials, so the policy
// grants nothing it would check: it is stored for the tools that write and read it back
// (docs/compatibility.md).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { apiError } from '../../errors.js';
import type { Registry } from '../../registry/registry.js';
import type { PolicyStatement, ResourcePolicy } from '../../registry/store.js';
import { json, type ApiRequest, type Operation, type Route } from '../http.js';
import { findQualified } from './function-name.js';
import { checkRoom, noPolicy, policyDocument, principalOf } from './policy-doc.js';
import { parseBody } from './schemas.js';

/** Lambda's limit on a function policy's size. */
const MAX_POLICY_BYTES = 20_480;
const STATEMENT_ID = /^[a-zA-Z0-9-_.]{1,100}$/;

const AddPermissionRequest = z.strictObject({
  StatementId: z.string().min(1).max(100).regex(/^[a-zA-Z0-9-_]+$/),
  Action: z.string().max(256).regex(/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/),
  Principal: z.string().min(1).max(256).regex(/^[^\s]+$/),
  SourceArn: z.string().max(1024).regex(/^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:/).optional(),
  SourceAccount: z.string().regex(/^\d{12}$/).optional(),
  EventSourceToken: z.string().max(256).regex(/^[a-zA-Z0-9._-]+$/).optional(),
  RevisionId: z.string().max(64).optional(),
  PrincipalOrgID: z.string().min(12).max(34).regex(/^o-[a-z0-9]{10,32}$/).optional(),
  FunctionUrlAuthType: z.enum(['NONE', 'AWS_IAM']).optional(),
  InvokedViaFunctionUrl: z.boolean().optional(),
});

/** The function and the qualifier whose policy a request means ('$LATEST' for an unqualified name). */
function target(registry: Registry, req: ApiRequest): { name: string; qualifier: string; arn: string } {
  const found = findQualified(registry, req.params.name ?? '', req.query.get('Qualifier'));
  const qualifier = found.qualifier ?? '$LATEST';
  return { name: found.name, qualifier, arn: registry.arns.functionArn(found.name, found.qualifier) };
}

function statementOf(body: z.infer<typeof AddPermissionRequest>, resource: string): PolicyStatement {
  const equals: Record<string, string> = {};
  if (body.SourceAccount) equals['AWS:SourceAccount'] = body.SourceAccount;
  if (body.EventSourceToken) equals['lambda:EventSourceToken'] = body.EventSourceToken;
  if (body.PrincipalOrgID) equals['aws:PrincipalOrgID'] = body.PrincipalOrgID;
  if (body.FunctionUrlAuthType) equals['lambda:FunctionUrlAuthType'] = body.FunctionUrlAuthType;
  const condition: Record<string, Record<string, string | boolean>> = {};
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  if (body.SourceArn) condition.ArnLike = { 'AWS:SourceArn': body.SourceArn };
  if (body.InvokedViaFunctionUrl) condition.Bool = { 'lambda:InvokedViaFunctionUrl': true };
  return {
    Sid: body.StatementId, Effect: 'Allow', Principal: principalOf(body.Principal), Action: body.Action, Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function checkRevision(current: ResourcePolicy | undefined, given: string | undefined | null): void {
  if (given && given !== current?.revisionId) {
    throw apiError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id');
  }
}

function add(registry: Registry): Operation {
  return async (req) => {
    const { name, qualifier, arn } = target(registry, req);
    const body = parseBody(AddPermissionRequest, req.body);
    const statement = statementOf(body, arn);
    const policy = await registry.lifecycle.changeSetting<ResourcePolicy>(name, qualifier, 'policy', (current) => {
      checkRevision(current, body.RevisionId);
      const statements = current?.statements ?? [];
      checkRoom(statements);
      if (statements.some((s) => s.Sid === statement.Sid)) {
        throw apiError('ResourceConflictException', `The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
      }
      const next = { statements: [...statements, statement], revisionId: randomUUID() };
      const size = Buffer.byteLength(policyDocument(next));
      if (size > MAX_POLICY_BYTES) {
        throw apiError('InvalidParameterValueException', `The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`);
      }
      return next;
    });
    return json(201, { Statement: JSON.stringify(statement), RevisionId: policy.revisionId });
  };
}

function get(registry: Registry): Operation {
  return (req) => {
    const { name, qualifier } = target(registry, req);
    const policy = registry.lifecycle.setting<ResourcePolicy>(name, qualifier, 'policy');
    if (!policy || policy.statements.length === 0) throw noPolicy();
    return json(200, { Policy: policyDocument(policy), RevisionId: policy.revisionId });
  };
}

function remove(registry: Registry): Operation {
  return async (req) => {
    const { name, qualifier } = target(registry, req);
    const sid = req.params.sid ?? '';
    if (!STATEMENT_ID.test(sid)) {
      throw apiError('ValidationException', `1 validation error detected: Value '${sid.slice(0, 120)}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)`);
    }
    if (!registry.lifecycle.setting<ResourcePolicy>(name, qualifier, 'policy')) throw noPolicy();
    const left = await registry.lifecycle.changeSetting<ResourcePolicy>(name, qualifier, 'policy', (current) => {
      checkRevision(current, req.query.get('RevisionId'));
      if (!current?.statements.some((s) => s.Sid === sid)) throw apiError('ResourceNotFoundException', `Statement ${sid} is not found in resource policy.`);
      return { statements: current.statements.filter((s) => s.Sid !== sid), revisionId: randomUUID() };
    });
    // The last statement gone, the function has no policy (GetPolicy: ResourceNotFoundException).
    if (left.statements.length === 0) await registry.lifecycle.deleteSetting(name, qualifier, 'policy');
    return { status: 204 };
  };
}

export function functionPolicyRoutes(registry: Registry): Route[] {
  const base = '/2015-03-31/functions/{name}/policy';
  return [
    { method: 'POST', pattern: base, operation: add(registry) },
    { method: 'GET', pattern: base, operation: get(registry) },
    { method: 'DELETE', pattern: `${base}/{sid}`, operation: remove(registry) },
  ];
}
