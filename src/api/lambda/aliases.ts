// CreateAlias (POST …/{name}/aliases → 201), GetAlias, ListAliases, UpdateAlias (PUT → 200),
// DeleteAlias (→ 204). An alias names a version; RoutingConfig.AdditionalVersionWeights sends a
// share of its invokes to one other version (registry.pick draws it per invoke).
import { z } from 'zod';
import { json, type Operation, type Route } from '../http.js';
import type { Arns } from '../../registry/arn.js';
import { aliasNotFound, type AliasRecord } from '../../registry/index.js';
import { functionNotFound } from '../../registry/registry.js';
import type { LambdaApiDeps } from './deps.js';
import { unqualifiedName } from './function-name.js';
import { pageOf, parsePaging } from './paging.js';
import { parseBody } from './schemas.js';

const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const VERSION = /^(\$LATEST|[0-9]+)$/;

const aliasName = z.string().min(1).max(128).refine((s) => ALIAS_NAME.test(s), {
  params: { constraint: 'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)' },
});
const functionVersion = z.string().min(1).max(1024).refine((s) => VERSION.test(s), {
  params: { constraint: 'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)' },
});
const RoutingConfig = z.strictObject({
  AdditionalVersionWeights: z.record(
    z.string().refine((s) => /^[0-9]+$/.test(s), { params: { constraint: 'Member must satisfy regular expression pattern: [0-9]+' } }),
    z.number().min(0).max(1),
  ).optional(),
});

const CreateAliasRequest = z.strictObject({
  Name: aliasName,
  FunctionVersion: functionVersion,
  Description: z.string().max(256).optional(),
  RoutingConfig: RoutingConfig.optional(),
});

const UpdateAliasRequest = z.strictObject({
  FunctionVersion: functionVersion.optional(),
  Description: z.string().max(256).optional(),
  RoutingConfig: RoutingConfig.optional(),
  RevisionId: z.string().optional(),
});

export function toAliasConfiguration(arns: Arns, alias: AliasRecord): object {
  const weighted = Object.keys(alias.weights).length > 0;
  return {
    AliasArn: arns.functionArn(alias.functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(weighted ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
    RevisionId: alias.revisionId,
  };
}

function functionOf(deps: LambdaApiDeps, raw: string): string {
  const name = unqualifiedName(deps.registry.arns, raw);
  if (!deps.registry.get(name)) throw functionNotFound(deps.registry.arns, name);
  return name;
}

function create(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const name = functionOf(deps, req.params.name ?? '');
    const body = parseBody(CreateAliasRequest, req.body);
    const alias = await deps.registry.lifecycle.putAlias(name, body.Name, {
      functionVersion: body.FunctionVersion,
      description: body.Description ?? '',
      weights: body.RoutingConfig?.AdditionalVersionWeights ?? {},
    }, null);
    return json(201, toAliasConfiguration(deps.registry.arns, alias));
  };
}

function get(deps: LambdaApiDeps): Operation {
  return (req) => {
    const name = functionOf(deps, req.params.name ?? '');
    const alias = deps.registry.lifecycle.alias(name, req.params.alias ?? '');
    if (!alias) throw aliasNotFound(deps.registry.arns, name, req.params.alias ?? '');
    return json(200, toAliasConfiguration(deps.registry.arns, alias));
  };
}

function list(deps: LambdaApiDeps): Operation {
  return (req) => {
    const name = functionOf(deps, req.params.name ?? '');
    const version = req.query.get('FunctionVersion');
    const aliases = deps.registry.lifecycle.aliasesOf(name)
      .filter((a) => version === null || a.functionVersion === version || version in a.weights);
    const page = pageOf(aliases, (a) => a.name, parsePaging(req.query));
    return json(200, {
      Aliases: page.items.map((a) => toAliasConfiguration(deps.registry.arns, a)),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

function update(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const name = functionOf(deps, req.params.name ?? '');
    const which = req.params.alias ?? '';
    const current = deps.registry.lifecycle.alias(name, which);
    if (!current) throw aliasNotFound(deps.registry.arns, name, which);
    const body = parseBody(UpdateAliasRequest, req.body);
    const alias = await deps.registry.lifecycle.putAlias(name, which, {
      functionVersion: body.FunctionVersion ?? current.functionVersion,
      description: body.Description ?? current.description,
      // A RoutingConfig given replaces the weights (an empty one clears them).
      weights: body.RoutingConfig ? (body.RoutingConfig.AdditionalVersionWeights ?? {}) : current.weights,
    }, body.RevisionId);
    return json(200, toAliasConfiguration(deps.registry.arns, alias));
  };
}

function remove(deps: LambdaApiDeps): Operation {
  return async (req) => {
    const name = functionOf(deps, req.params.name ?? '');
    await deps.registry.lifecycle.deleteAlias(name, req.params.alias ?? '');
    return { status: 204 };
  };
}

export function aliasRoutes(deps: LambdaApiDeps): Route[] {
  const base = '/2015-03-31/functions/{name}/aliases';
  return [
    { method: 'POST', pattern: base, operation: create(deps) },
    { method: 'GET', pattern: base, operation: list(deps) },
    { method: 'GET', pattern: `${base}/{alias}`, operation: get(deps) },
    { method: 'PUT', pattern: `${base}/{alias}`, operation: update(deps) },
    { method: 'DELETE', pattern: `${base}/{alias}`, operation: remove(deps) },
  ];
}
