// What layer requests name and carry: a layer name (or its ARN) and version number in the path,
// and PublishLayerVersion's body, as the botocore model constrains them.
import { z } from 'zod';
import { apiError } from '../../errors.js';
import { ACCOUNT_ID, type Arns } from '../../registry/arn.js';
import { layerVersionNotFound } from '../../registry/layers.js';
import type { Registry } from '../../registry/registry.js';
import type { LayerRef } from '../../registry/types.js';

/** A function may use at most this many layers, as on Lambda. */
export const MAX_FUNCTION_LAYERS = 5;

/** CreateFunction/UpdateFunctionConfiguration's Layers: version ARNs of this server, at most 5, in order. */
export function functionLayers(registry: Registry, arns: readonly string[] | undefined): LayerRef[] | undefined {
  if (arns === undefined) return undefined;
  if (arns.length > MAX_FUNCTION_LAYERS) {
    throw apiError('InvalidParameterValueException', `A function can use at most ${MAX_FUNCTION_LAYERS} layers; the request names ${arns.length}.`);
  }
  return registry.layers.resolve(arns);
}

const LAYER_NAME_PATTERN = '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+';
const LAYER_NAME_RE = new RegExp(`^(?:${LAYER_NAME_PATTERN})$`);

/** The plain name of a layer named by its name or its ARN (path parameter, percent-decoded). */
export function layerName(arns: Arns, raw: string): string {
  if (raw.length < 1 || raw.length > 140 || !LAYER_NAME_RE.test(raw)) {
    throw apiError('ValidationException',
      `1 validation error detected: Value '${raw.slice(0, 200)}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${LAYER_NAME_PATTERN} and have length between 1 and 140`);
  }
  if (!raw.startsWith('arn:')) return raw;
  const parts = raw.split(':');
  if (parts[3] !== arns.region || parts[4] !== ACCOUNT_ID) {
    throw apiError('InvalidParameterValueException', `The layer ${raw} is not of this server (region ${arns.region}, account ${ACCOUNT_ID}).`);
  }
  return parts[6]!;
}

/** A version number in the path; one that cannot exist is "not found", as Lambda answers it. */
export function layerVersionNumber(arns: Arns, name: string, raw: string): number {
  const n = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    if (/^-?[0-9]{1,15}$/.test(raw)) throw layerVersionNotFound(arns, name, Number(raw));
    throw apiError('ValidationException', `1 validation error detected: Value '${raw.slice(0, 40)}' at 'versionNumber' failed to satisfy constraint: Member must be a whole number`);
  }
  return n;
}

const runtimeName = z.string().min(1).max(40).regex(/^[a-z0-9.-]+$/, { message: 'Member must be a runtime identifier' });

export const PublishLayerVersionRequest = z.strictObject({
  Description: z.string().max(256).optional(),
  Content: z.strictObject({
    ZipFile: z.string().optional(),
    S3Bucket: z.string().optional(),
    S3Key: z.string().optional(),
    S3ObjectVersion: z.string().optional(),
  }),
  CompatibleRuntimes: z.array(runtimeName).max(15).optional(),
  LicenseInfo: z.string().max(512).optional(),
  CompatibleArchitectures: z.array(z.enum(['x86_64', 'arm64'])).max(2).optional(),
});
