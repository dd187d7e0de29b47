// PUT /2022-07-01/telemetry (and the older Logs API's PUT /2020-08-15/logs, which gets the same
// events): an extension subscribes its listener. The body is small JSON; more is refused.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtensionApiHost } from './host.js';
import { readBody } from './body.js';
import { refuse } from './reply.js';
import { parseSubscription } from '../telemetry/subscribe.js';

export const TELEMETRY_PATH = '/2022-07-01/telemetry';
export const LOGS_PATH = '/2020-08-15/logs';
const SUBSCRIBE_BODY_BYTES = 16 * 1024;
const OK = Buffer.from('OK');

export async function handleSubscribe(host: ExtensionApiHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = req.headers['lambda-extension-identifier'];
  const body = await readBody(req, SUBSCRIBE_BODY_BYTES, SUBSCRIBE_BODY_BYTES);
  if (!body.ok) {
    return refuse(res, { status: 400, errorType: 'ValidationError', errorMessage: `The subscription is larger than ${SUBSCRIBE_BODY_BYTES} bytes.` }, true);
  }
  const sub = parseSubscription(body.body);
  if ('status' in sub) return refuse(res, sub);
  const refusal = host.subscribeTelemetry(typeof id === 'string' ? id : '', sub);
  if (refusal) return refuse(res, refusal);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': OK.length });
  res.end(OK);
}
