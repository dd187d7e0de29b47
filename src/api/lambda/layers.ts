// Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers,
// ListLayerVersions, DeleteLayerVersion (under /2018-10-31/layers), plus lambkin's download of a
// layer's zip, where Content.Location points (its stand-in for Lambda's presigned S3 URL).
import { apiError } from '../../errors.js';
import type { Arns } from '../../registry/arn.js';
import { layerVersionNotFound, type LayerVersion } from '../../registry/layers.js';
import type { Registry } from '../../registry/registry.js';
import { json, type ApiRequest, type Operation, type Route } from '../http.js';
import { checkRequestSize, MAX_ZIP_REQUEST_BYTES, zipFromRequest } from './config-input.js';
import { layerName, layerVersionNumber, PublishLayerVersionRequest } from './layer-input.js';
import { layerPolicyRoutes } from './layer-policy.js';
import { pageOf, parsePaging } from './paging.js';
import { parseBody } from './schemas.js';

const BASE = '/2018-10-31/layers';

/** A layer version as ListLayerVersions and ListLayers show it. */
function listItem(arns: Arns, v: LayerVersion) {
  return {
    LayerVersionArn: arns.layerArn(v.layer, v.version),
    Version: v.version,
    Description: v.description,
    CreatedDate: v.createdDate,
    CompatibleRuntimes: [...v.compatibleRuntimes],
    CompatibleArchitectures: [...v.compatibleArchitectures],
    ...(v.licenseInfo !== undefined ? { LicenseInfo: v.licenseInfo } : {}),
  };
}

/** GetLayerVersion's (and PublishLayerVersion's) answer. */
function fullItem(arns: Arns, req: ApiRequest, v: LayerVersion) {
  return {
    ...listItem(arns, v),
    LayerArn: arns.layerArn(v.layer),
    Content: {
      Location: `${baseUrl(req)}${BASE}/${encodeURIComponent(v.layer)}/versions/${v.version}/content`,
      CodeSha256: Buffer.from(v.codeSha256, 'hex').toString('base64'),
      CodeSize: v.codeSize,
    },
  };
}

function baseUrl(req: ApiRequest): string {
  const host = req.headers.host ?? '127.0.0.1:9000';
  return `${req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${host}`;
}

function found(registry: Registry, req: ApiRequest): LayerVersion {
  const name = layerName(registry.arns, req.params.name ?? '');
  const version = layerVersionNumber(registry.arns, name, req.params.version ?? '');
  const v = registry.layers.get(name, version);
  if (!v) throw layerVersionNotFound(registry.arns, name, version);
  return v;
}

/** Layer versions matching ListLayers/ListLayerVersions' CompatibleRuntime and CompatibleArchitecture. */
function matcher(query: URLSearchParams): (v: LayerVersion) => boolean {
  const runtime = query.get('CompatibleRuntime');
  const arch = query.get('CompatibleArchitecture');
  if (arch !== null && arch !== 'x86_64' && arch !== 'arm64') {
    throw apiError('ValidationException', `1 validation error detected: Value '${arch.slice(0, 40)}' at 'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]`);
  }
  return (v) => (runtime === null || v.compatibleRuntimes.includes(runtime)) && (arch === null || v.compatibleArchitectures.includes(arch));
}

function publish(registry: Registry): Operation {
  return async (req) => {
    checkRequestSize(req.body, 'PublishLayerVersion');
    const name = layerName(registry.arns, req.params.name ?? '');
    if (name.length > 64) throw apiError('InvalidParameterValueException', `A layer name is at most 64 characters long (got ${name.length}).`);
    const body = parseBody(PublishLayerVersionRequest, req.body);
    const zip = zipFromRequest(body.Content);
    const v = await registry.publishLayer(name, zip, {
      description: body.Description ?? '', compatibleRuntimes: body.CompatibleRuntimes ?? [],
      compatibleArchitectures: body.CompatibleArchitectures ?? [], licenseInfo: body.LicenseInfo,
    });
    return json(201, fullItem(registry.arns, req, v));
  };
}

function list(registry: Registry): Operation {
  return (req) => {
    // GetLayerVersionByArn shares the path: GET /2018-10-31/layers?find=LayerVersion&Arn=…
    if (req.query.get('find') === 'LayerVersion') return byArn(registry, req);
    const matches = matcher(req.query);
    const layers = registry.layers.names()
      .map((name) => ({ name, latest: registry.layers.versionsOf(name).find(matches) }))
      .filter((l) => l.latest !== undefined);
    const page = pageOf(layers, (l) => l.name, parsePaging(req.query));
    return json(200, {
      Layers: page.items.map((l) => ({ LayerName: l.name, LayerArn: registry.arns.layerArn(l.name), LatestMatchingVersion: listItem(registry.arns, l.latest!) })),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

function byArn(registry: Registry, req: ApiRequest) {
  const arn = req.query.get('Arn') ?? '';
  const parsed = registry.arns.parseLayerVersionArn(arn);
  if (!parsed) {
    if (/^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+$/.test(arn) && arn.length <= 140) {
      throw apiError('ResourceNotFoundException', `Layer version ${arn} does not exist.`);
    }
    throw apiError('ValidationException', `1 validation error detected: Value '${arn.slice(0, 200)}' at 'arn' failed to satisfy constraint: Member must be a layer version ARN`);
  }
  const v = registry.layers.get(parsed.name, parsed.version);
  if (!v) throw layerVersionNotFound(registry.arns, parsed.name, parsed.version);
  return json(200, fullItem(registry.arns, req, v));
}

function listVersions(registry: Registry): Operation {
  return (req) => {
    const name = layerName(registry.arns, req.params.name ?? '');
    const versions = registry.layers.versionsOf(name).filter(matcher(req.query));
    const page = pageOf(versions, (v) => String(v.version), parsePaging(req.query));
    return json(200, {
      LayerVersions: page.items.map((v) => listItem(registry.arns, v)),
      ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
    });
  };
}

function remove(registry: Registry): Operation {
  return async (req) => {
    const name = layerName(registry.arns, req.params.name ?? '');
    // Deleting a version that is not there succeeds, as on Lambda.
    await registry.deleteLayerVersion(name, layerVersionNumber(registry.arns, name, req.params.version ?? ''));
    return { status: 204 };
  };
}

function content(registry: Registry): Operation {
  return async (req) => {
    const v = found(registry, req);
    const zip = await registry.layers.zip(v.layer, v.version);
    return { status: 200, headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${v.layer}-${v.version}.zip"` }, body: zip };
  };
}

function get(registry: Registry): Operation {
  return (req) => json(200, fullItem(registry.arns, req, found(registry, req)));
}

export function layerRoutes(registry: Registry): Route[] {
  return [
    { method: 'GET', pattern: BASE, operation: list(registry) },
    { method: 'GET', pattern: `${BASE}/`, operation: list(registry) },
    { method: 'POST', pattern: `${BASE}/{name}/versions`, operation: publish(registry), maxBody: MAX_ZIP_REQUEST_BYTES, operationName: 'PublishLayerVersion' },
    { method: 'GET', pattern: `${BASE}/{name}/versions`, operation: listVersions(registry) },
    { method: 'GET', pattern: `${BASE}/{name}/versions/{version}`, operation: get(registry) },
    { method: 'DELETE', pattern: `${BASE}/{name}/versions/{version}`, operation: remove(registry) },
    { method: 'GET', pattern: `${BASE}/{name}/versions/{version}/content`, operation: content(registry) },
    ...layerPolicyRoutes(registry),
  ];
}
