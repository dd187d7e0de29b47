// The Extensions API (2020-01-01) on the environment's Runtime API listener: register, event/next,
// init/error, exit/error. Bodies are small JSON documents: anything over EXTENSION_BODY_BYTES is
// refused unread, so an extension holds no more of the host than the runtime does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtensionApiHost, Refusal } from './host.js';
import { readBody } from './body.js';
import { accepted, refuse, refuseUnread } from './reply.js';
import type { ExtensionEvent } from '../extensions/extensions.js';

export const EXTENSION_PREFIX = '/2020-01-01/extension/';
/** A register body is `{"events":[…]}`: 4 KB is plenty. */
export const EXTENSION_BODY_BYTES = 4096;
const MAX_NAME = 128;
const EVENTS: readonly ExtensionEvent[] = ['INVOKE', 'SHUTDOWN'];

export function routeExtension(host: ExtensionApiHost, path: string, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
  if (path === 'register' && req.method === 'POST') return register(host, req, res);
  if (path === 'event/next' && req.method === 'GET') {
    req.resume();
    const refusal = host.extensionNext(identifier(req), res);
    if (refusal) refuse(res, refusal);
    return;
  }
  if ((path === 'init/error' || path === 'exit/error') && req.method === 'POST') {
    return reportError(host, path === 'init/error' ? 'init' : 'exit', req, res);
  }
  refuseUnread(req, res, { status: 404, errorType: 'NotFound', errorMessage: `${req.method} ${EXTENSION_PREFIX}${path.slice(0, 200)} is not part of the Extensions API` });
}

async function register(host: ExtensionApiHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = req.headers['lambda-extension-name'];
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME || !/^[\x21-\x7e]+$/.test(name)) {
    return refuseUnread(req, res, bad(`The Lambda-Extension-Name header must name the extension (1 to ${MAX_NAME} printable ASCII characters, no spaces).`));
  }
  const body = await readBody(req, EXTENSION_BODY_BYTES, EXTENSION_BODY_BYTES);
  if (!body.ok) {
    res.shouldKeepAlive = false;
    return refuse(res, bad(`The register body is larger than ${EXTENSION_BODY_BYTES} bytes.`), true);
  }
  const events = parseEvents(body.body);
  if (!events) return refuse(res, bad('The register body must be {"events": [...]} with events among INVOKE and SHUTDOWN.'));
  const registered = host.registerExtension(name, events);
  if ('status' in registered) return refuse(res, registered);
  const accept = String(req.headers['lambda-extension-accept-feature'] ?? '').split(',').map((s) => s.trim());
  const info = Buffer.from(JSON.stringify(host.registrationInfo(accept.includes('accountId'))));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': info.length, 'lambda-extension-identifier': registered.id });
  res.end(info);
}

async function reportError(host: ExtensionApiHost, phase: 'init' | 'exit', req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = identifier(req);
  const type = req.headers['lambda-extension-function-error-type'];
  // The body (an error document) is read and dropped: the error type in the header is what counts.
  const body = await readBody(req, EXTENSION_BODY_BYTES, 64 * 1024);
  if (!body.ok) res.shouldKeepAlive = false;
  const errorType = typeof type === 'string' && /^[\x21-\x7e]{1,128}$/.test(type) ? type : 'Extension.UnknownReason';
  const refusal = host.extensionError(id, phase, errorType);
  if (refusal) return refuse(res, refusal);
  accepted(res);
}

function parseEvents(raw: Buffer): ExtensionEvent[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const events = (doc as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || events.length > EVENTS.length) return undefined;
  if (!events.every((e) => EVENTS.includes(e as ExtensionEvent))) return undefined;
  return [...new Set(events as ExtensionEvent[])];
}

function identifier(req: IncomingMessage): string {
  const id = req.headers['lambda-extension-identifier'];
  return typeof id === 'string' ? id : '';
}

function bad(message: string): Refusal {
  return { status: 400, errorType: 'InvalidRequest', errorMessage: message };
}
