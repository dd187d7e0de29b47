// Function URL configurations: CreateFunctionUrlConfig (POST /2021-10-31/functions/{name}/url → 201),
// GetFunctionUrlConfig, UpdateFunctionUrlConfig (PUT), DeleteFunctionUrlConfig (→ 204) and
// ListFunctionUrlConfigs (GET …/urls). A URL belongs to the function or to one of its aliases and
// is served by this server at /url/<name>/ (or /url/<name>:<alias>/), see serve.ts.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { json, type ApiRequest, type Operation, type Route } from '../http.js';
import type { Arns } from '../../registry/arn.js';
import type { Registry } from '../../registry/registry.js';
import { findQualified } from '../lambda/function-name.js';
import { pageOf, parsePaging } from '../lambda/paging.js';
import { parseBody } from '../lambda/schemas.js';
import type { CorsConfig } from './cors.js';

export interface StoredUrl {
  readonly urlId: string;
  readonly authType: 'NONE' | 'AWS_IAM';
  readonly cors?: CorsConfig;
  /** Absent (URLs stored before streaming): BUFFERED. */
  readonly invokeMode?: 'BUFFERED' | 'RESPONSE_STREAM';
  readonly creationTime: string;
  readonly lastModifiedTime: string;
}

export const URL_KIND = 'url';
export const URL_PREFIX = '/url/';

const Cors = z.strictObject({
  AllowCredentials: z.boolean().optional(),
  AllowHeaders: z.array(z.string().max(1024)).max(100).optional(),
  AllowMethods: z.array(z.string().max(6).regex(/^(GET|PUT|HEAD|POST|PATCH|DELETE|\*)$/)).max(6).optional(),
  AllowOrigins: z.array(z.string().min(1).max(253)).max(100).optional(),
  ExposeHeaders: z.array(z.string().max(1024)).max(100).optional(),
  MaxAge: z.number().int().min(0).max(86400).optional(),
});
const AuthType = z.enum(['NONE', 'AWS_IAM']);
const InvokeMode = z.enum(['BUFFERED', 'RESPONSE_STREAM']);
const CreateRequest = z.strictObject({ AuthType, Cors: Cors.optional(), InvokeMode: InvokeMode.optional() });
const UpdateRequest = z.strictObject({ AuthType: AuthType.optional(), Cors: Cors.optional(), InvokeMode: InvokeMode.optional() });

/** The function and the qualifier ('$LATEST' for none) a request names; only aliases may have URLs. */
function target(registry: Registry, req: ApiRequest): { name: string; qualifier: string } {
  const { name, qualifier } = findQualified(registry, req.params.name ?? '', req.query.get('Qualifier'));
  if (qualifier !== undefined && qualifier !== '$LATEST' && /^[0-9]+$/.test(qualifier)) {
    throw apiError('InvalidParameterValueException', 'A function URL can be created for the function or for one of its aliases, not for a version.');
  }
  return { name, qualifier: qualifier ?? '$LATEST' };
}

/** http://<host>/url/<name>[:<alias>]/ — the host the caller reached this server by. */
export function functionUrl(req: ApiRequest, name: string, qualifier: string): string {
  const host = req.headers.host ?? '127.0.0.1:9000';
  const scheme = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${scheme}://${host}${URL_PREFIX}${name}${qualifier === '$LATEST' ? '' : `:${qualifier}`}/`;
}

function toWire(arns: Arns, req: ApiRequest, name: string, qualifier: string, u: StoredUrl, withModified: boolean): object {
  return {
    FunctionUrl: functionUrl(req, name, qualifier),
    FunctionArn: arns.functionArn(name, qualifier === '$LATEST' ? undefined : qualifier),
    AuthType: u.authType,
    ...(u.cors ? { Cors: u.cors } : {}),
    CreationTime: u.creationTime,
    ...(withModified ? { LastModifiedTime: u.lastModifiedTime } : {}),
    InvokeMode: u.invokeMode ?? 'BUFFERED',
  };
}

function notFound(): Error {
  return apiError('ResourceNotFoundException', 'The resource you requested does not exist.');
}

const now = () => new Date().toISOString();

function create(registry: Registry): Operation {
  return async (req) => {
    const { name, qualifier } = target(registry, req);
    const body = parseBody(CreateRequest, req.body);
    const t = now();
    // The check runs in the store's transaction: of two creates at once, the second is refused.
    const stored = await registry.lifecycle.changeSetting<StoredUrl>(name, qualifier, URL_KIND, (existing) => {
      if (existing) {
        throw apiError('ResourceConflictException',
          `Failed to create function url config for [functionArn = ${registry.arns.functionArn(name, qualifier)}]. Error message: FunctionUrlConfig exists for this Lambda function`);
      }
      return {
        urlId: randomBytes(16).toString('hex'), authType: body.AuthType, ...(body.Cors ? { cors: body.Cors } : {}),
        invokeMode: body.InvokeMode ?? 'BUFFERED', creationTime: t, lastModifiedTime: t,
      };
    });
    return json(201, toWire(registry.arns, req, name, qualifier, stored, false));
  };
}

function get(registry: Registry): Operation {
  return (req) => {
    const { name, qualifier } = target(registry, req);
    const stored = registry.lifecycle.setting<StoredUrl>(name, qualifier, URL_KIND);
    if (!stored) throw notFound();
    return json(200, toWire(registry.arns, req, name, qualifier, stored, true));
  };
}

function update(registry: Registry): Operation {
  return async (req) => {
    const { name, qualifier } = target(registry, req);
    const body = parseBody(UpdateRequest, req.body);
    const next = await registry.lifecycle.changeSetting<StoredUrl>(name, qualifier, URL_KIND, (current) => {
      if (!current) throw notFound();
      const cors = body.Cors ?? current.cors;
      return {
        urlId: current.urlId, authType: body.AuthType ?? current.authType, ...(cors ? { cors } : {}),
        invokeMode: body.InvokeMode ?? current.invokeMode ?? 'BUFFERED', creationTime: current.creationTime, lastModifiedTime: now(),
      };
    });
    return json(200, toWire(registry.arns, req, name, qualifier, next, true));
  };
}

function remove(registry: Registry): Operation {
  return async (req) => {
    const { name, qualifier } = target(registry, req);
    if (!(await registry.lifecycle.deleteSetting(name, qualifier, URL_KIND))) throw notFound();
    return { status: 204 };
  };
}

function list(registry: Registry): Operation {
  return (req) => {
    const { name } = findQualified(registry, req.params.name ?? '', null);
    const all = registry.lifecycle.settingsOf<StoredUrl>(URL_KIND, name);
    const page = pageOf(all, (s) => s.qualifier, parsePaging(req.query));
    return json(200, {
      FunctionUrlConfigs: page.items.map((s) => toWire(registry.arns, req, name, s.qualifier, s.value, true)),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

export function urlConfigRoutes(registry: Registry): Route[] {
  const path = '/2021-10-31/functions/{name}/url';
  return [
    { method: 'POST', pattern: path, operation: create(registry) },
    { method: 'GET', pattern: path, operation: get(registry) },
    { method: 'PUT', pattern: path, operation: update(registry) },
    { method: 'DELETE', pattern: path, operation: remove(registry) },
    { method: 'GET', pattern: '/2021-10-31/functions/{name}/urls', operation: list(registry) },
  ];
}
