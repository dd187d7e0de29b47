// A plain HTTP request as the event a function URL hands its function: payload format 2.0
// (the shape API Gateway HTTP APIs use): rawPath, rawQueryString, cookies, headers (lower-cased,
// repeated ones comma-joined), queryStringParameters, requestContext{http, …}, body (base64 with
// isBase64Encoded when the body is binary).
import type { IncomingMessage } from 'node:http';
import { ACCOUNT_ID } from '../../registry/arn.js';

export interface UrlRequest {
  readonly req: IncomingMessage;
  readonly urlId: string;
  /** The path below the function's URL prefix, starting with '/'. */
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly body: Buffer;
  readonly requestId: string;
  /** The caller's access key when the URL is AWS_IAM; undefined for NONE. */
  readonly accessKey?: string;
}

const TEXT_TYPE = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded|graphql)\b|[^;]*\+(json|xml)\b)/i;

export function urlEvent(r: UrlRequest): Record<string, unknown> {
  const { req } = r;
  const now = new Date();
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name === 'cookie' || values === undefined) continue;
    headers[name] = values.join(',');
  }
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  const cookies = (req.headersDistinct.cookie ?? []).flatMap((c) => c.split(';')).map((c) => c.trim()).filter(Boolean);
  const host = headers.host ?? 'localhost';
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.rawPath,
    rawQueryString: r.rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(r.rawQueryString ? { queryStringParameters: queryParameters(r.rawQueryString) } : {}),
    requestContext: {
      accountId: r.accessKey === undefined ? 'anonymous' : ACCOUNT_ID,
      apiId: r.urlId,
      ...(r.accessKey === undefined ? {} : {
        authorizer: { iam: { accessKey: r.accessKey, accountId: ACCOUNT_ID, callerId: r.accessKey, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${ACCOUNT_ID}:user/${r.accessKey}`, userId: r.accessKey } },
      }),
      domainName: host,
      domainPrefix: host.split('.')[0]!.split(':')[0],
      http: { method: req.method ?? 'GET', path: r.rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: r.requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (r.body.length > 0) {
    const text = TEXT_TYPE.test(headers['content-type'] ?? '') || (headers['content-type'] === undefined && isUtf8(r.body));
    event.body = text ? r.body.toString('utf8') : r.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/** Repeated keys are comma-joined, as in payload format 2.0. */
function queryParameters(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/** 12/Mar/2020:19:03:58 +0000 */
function clfTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
