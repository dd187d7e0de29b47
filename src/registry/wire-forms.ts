// The forms Lambda's API gives the registry's values: LastModified timestamps and ListFunctions'
// opaque markers (the last name of a page, base64url).
import { apiError } from '../errors.js';

/** Lambda's LastModified form: 2026-11-27T04:39:51.123+0000 */
export function lastModifiedNow(): string {
  return new Date().toISOString().replace('Z', '+0000');
}

export function encodeMarker(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

export function decodeMarker(marker: string): string {
  const name = Buffer.from(marker, 'base64url').toString('utf8');
  if (marker === '' || encodeMarker(name) !== marker) {
    throw apiError('InvalidParameterValueException', `Invalid Marker: ${marker}`);
  }
  return name;
}
