// How Event invocations of a function (or of one version or alias) are retried and where their
// outcome goes: PutFunctionEventInvokeConfig (PUT /2019-09-25/functions/{name}/event-invoke-config,
// replaces), UpdateFunctionEventInvokeConfig (POST, amends), Get, Delete, and List (…/list).
// scheduler/async-invoker.ts reads the stored value when it runs an event.
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { json, type ApiRequest, type Operation, type Route } from '../http.js';
import type { Arns } from '../../registry/arn.js';
import { parseDestination, type EventInvokeConfig } from '../../scheduler/destinations.js';
import type { LambdaApiDeps } from './deps.js';
import { findQualified } from './function-name.js';
import { pageOf, parsePaging } from './paging.js';
import { parseBody } from './schemas.js';

const destination = z.strictObject({ Destination: z.string().min(0).max(350).optional() });
const ConfigRequest = z.strictObject({
  MaximumRetryAttempts: z.number().int().min(0).max(2).optional(),
  MaximumEventAgeInSeconds: z.number().int().min(60).max(21600).optional(),
  DestinationConfig: z.strictObject({ OnSuccess: destination.optional(), OnFailure: destination.optional() }).optional(),
});
type ConfigRequest = z.infer<typeof ConfigRequest>;

const KIND = 'event-invoke';

function target(deps: LambdaApiDeps, req: ApiRequest): { name: string; qualifier: string } {
  const { name, qualifier } = findQualified(deps.registry, req.params.name ?? '', req.query.get('Qualifier'));
  // The unqualified function's configuration is that of $LATEST, as Lambda reports it.
  return { name, qualifier: qualifier ?? '$LATEST' };
}

function checkDestination(arn: string | undefined, onSuccess: boolean): string | undefined {
  if (arn === undefined || arn === '') return undefined;
  const d = parseDestination(arn);
  if (!d || (onSuccess && d.kind !== 'function')) {
    throw apiError('InvalidParameterValueException', onSuccess
      ? `lambkin delivers OnSuccess records to Lambda functions only (arn:aws:lambda:<region>:<account>:function:<name>), not to '${arn}'.`
      : `lambkin delivers OnFailure records to Lambda functions (arn:aws:lambda:…:function:<name>) or to the function's built-in dead-letter list (any SQS queue ARN, e.g. arn:aws:sqs:us-east-1:000000000000:dead-letters), not to '${arn}'.`);
  }
  return arn;
}

function merge(base: EventInvokeConfig | undefined, body: ConfigRequest): EventInvokeConfig {
  const dc = body.DestinationConfig;
  const onSuccess = dc?.OnSuccess ? checkDestination(dc.OnSuccess.Destination, true) : base?.onSuccess;
  const onFailure = dc?.OnFailure ? checkDestination(dc.OnFailure.Destination, false) : base?.onFailure;
  const retries = body.MaximumRetryAttempts ?? base?.maximumRetryAttempts;
  const age = body.MaximumEventAgeInSeconds ?? base?.maximumEventAgeInSeconds;
  return {
    ...(retries !== undefined ? { maximumRetryAttempts: retries } : {}),
    ...(age !== undefined ? { maximumEventAgeInSeconds: age } : {}),
    ...(onSuccess !== undefined ? { onSuccess } : {}),
    ...(onFailure !== undefined ? { onFailure } : {}),
    lastModified: Date.now() / 1000,
  };
}

function toWire(arns: Arns, name: string, qualifier: string, c: EventInvokeConfig): object {
  return {
    LastModified: c.lastModified,
    FunctionArn: arns.functionArn(name, qualifier),
    ...(c.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds } : {}),
    DestinationConfig: {
      OnSuccess: c.onSuccess !== undefined ? { Destination: c.onSuccess } : {},
      OnFailure: c.onFailure !== undefined ? { Destination: c.onFailure } : {},
    },
  };
}

function notFound(arns: Arns, name: string, qualifier: string): Error {
  return apiError('ResourceNotFoundException', `The function ${arns.functionArn(name, qualifier)} doesn't have an EventInvokeConfig`);
}

/** PUT replaces the whole configuration; POST (update) amends the existing one. */
function write(deps: LambdaApiDeps, replace: boolean): Operation {
  return async (req) => {
    const { name, qualifier } = target(deps, req);
    const body = parseBody(ConfigRequest, req.body);
    // Amended from the stored value inside the store's transaction: two updates both apply.
    const next = await deps.registry.lifecycle.changeSetting<EventInvokeConfig>(name, qualifier, KIND, (current) => {
      if (!replace && !current) throw notFound(deps.registry.arns, name, qualifier);
      return merge(replace ? undefined : current, body);
    });
    return json(200, toWire(deps.registry.arns, name, qualifier, next));
  };
}

function get(deps: LambdaApiDeps): Operation {
  return (req) => {
    const { name, qualifier } = target(deps, req);
    const c = deps.registry.lifecycle.setting<EventInvokeConfig>(name, qualifier, KIND);
    if (!c) throw notFound(deps.registry.arns, name, qualifier);
    return json(200, toWire(deps.registry.arns, name, qualifier, c));
  };
}

function remove(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const { name, qualifier } = target(deps, req);
    if (!(await deps.registry.lifecycle.deleteSetting(name, qualifier, KIND))) throw notFound(deps.registry.arns, name, qualifier);
    return { status: 204 };
  };
}

function list(deps: LambdaApiDeps): Operation {
  return (req) => {
    const { name } = findQualified(deps.registry, req.params.name ?? '', null);
    const all = deps.registry.lifecycle.settingsOf<EventInvokeConfig>(KIND, name);
    const page = pageOf(all, (s) => s.qualifier, parsePaging(req.query));
    return json(200, {
      FunctionEventInvokeConfigs: page.items.map((s) => toWire(deps.registry.arns, name, s.qualifier, s.value)),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

export function eventInvokeConfigRoutes(deps: LambdaApiDeps): Route[] {
  const path = '/2019-09-25/functions/{name}/event-invoke-config';
  return [
    { method: 'PUT', pattern: path, operation: write(deps, true) },
    { method: 'POST', pattern: path, operation: write(deps, false) },
    { method: 'GET', pattern: path, operation: get(deps) },
    { method: 'DELETE', pattern: path, operation: remove(deps) },
    { method: 'GET', pattern: `${path}/list`, operation: list(deps) },
  ];
}
