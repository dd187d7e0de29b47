// The whole Runtime API on one page (2018-06-01). One HTTP server per environment, so the
// server a request arrives on says which environment it is for.
import { createServer, type Server } from 'node:http';
import type { RuntimeApiHost } from './host.js';
import { handleNext } from './next.js';
import { handleResponse } from './response.js';
import { handleError } from './error.js';
import { handleInitError } from './init-error.js';
import { refuse } from './reply.js';

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION = 'invocation/';

export function createRuntimeApiServer(host: RuntimeApiHost): Server {
  const server = createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 }, (req, res) => {
    const url = req.url ?? '';
    const path = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : undefined;
    const fail = (err: unknown) => {
      if (!res.headersSent) refuse(res, { status: 400, errorType: 'InvalidRequest', errorMessage: String(err) });
    };
    if (path === 'invocation/next' && req.method === 'GET') return handleNext(host, req, res);
    if (path?.startsWith(INVOCATION) && req.method === 'POST') {
      const rest = path.slice(INVOCATION.length);
      const slash = rest.indexOf('/');
      const id = decodeURIComponent(rest.slice(0, slash));
      const action = rest.slice(slash + 1);
      if (slash > 0 && action === 'response') return void handleResponse(host, id, req, res).catch(fail);
      if (slash > 0 && action === 'error') return void handleError(host, id, req, res).catch(fail);
    }
    if (path === 'init/error' && req.method === 'POST') return void handleInitError(host, req, res).catch(fail);
    req.resume();
    refuse(res, { status: 404, errorType: 'NotFound', errorMessage: `${req.method} ${url} is not part of the Runtime API` });
  });
  // A long poll may wait for hours; nothing on this server may time it out.
  server.timeout = 0;
  return server;
}
