// CORS as a function URL's Cors configuration says: a preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered from the configuration without invoking the function;
// other responses to an allowed origin get the Allow-Origin / Expose-Headers / Allow-Credentials
// headers, replacing any the function set (as Lambda does).
import type { IncomingHttpHeaders } from 'node:http';
import type { FunctionUrlCors } from '../../wire.js';

// The wire shape (src/wire.ts), which the client sends too.
export type CorsConfig = FunctionUrlCors;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The Access-Control-Allow-Origin value for this request's Origin, if the origin is allowed. */
function allowedOrigin(cors: CorsConfig, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes('*')) return cors.AllowCredentials ? origin : '*';
  return origins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && header(headers, 'origin') !== undefined && header(headers, 'access-control-request-method') !== undefined;
}

/** The headers answering a preflight request. */
export function preflightHeaders(cors: CorsConfig, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = allowedOrigin(cors, header(headers, 'origin'));
  if (origin === undefined) return {};
  const out: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (cors.AllowMethods?.length) out['access-control-allow-methods'] = cors.AllowMethods.join(',');
  if (cors.AllowHeaders?.length) out['access-control-allow-headers'] = cors.AllowHeaders.join(',');
  if (cors.MaxAge !== undefined) out['access-control-max-age'] = String(cors.MaxAge);
  if (cors.AllowCredentials) out['access-control-allow-credentials'] = 'true';
  return out;
}

/** Apply the configuration to a response's headers (lower-cased names), in place. */
export function applyCors(cors: CorsConfig, request: IncomingHttpHeaders, response: Record<string, string>): void {
  for (const name of Object.keys(response)) if (name.startsWith('access-control-')) delete response[name];
  const origin = allowedOrigin(cors, header(request, 'origin'));
  if (origin === undefined) return;
  response['access-control-allow-origin'] = origin;
  response.vary = response.vary ? `${response.vary}, Origin` : 'Origin';
  if (cors.ExposeHeaders?.length) response['access-control-expose-headers'] = cors.ExposeHeaders.join(',');
  if (cors.AllowCredentials) response['access-control-allow-credentials'] = 'true';
}
