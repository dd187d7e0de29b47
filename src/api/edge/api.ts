// The Lambda, CloudWatch Logs and lambkin APIs' pipeline, in the order that keeps a hostile caller
// cheap: the signature's headers are checked first (a caller without our credentials is refused
// before a byte of its body is read), then the operation's body limit and the server's body budget
// (both from the headers), then the body is read and the signature completed over it, and only
// then is the operation run. An unsigned caller learns nothing, not even which routes exist.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DatabaseUnavailable } from '../../database/index.js';
import { apiError, ApiError } from '../../errors.js';
import { sha256Hex, type SigV4Verifier } from '../auth/sigv4.js';
import { sendApiError } from '../errors.js';
import { DEFAULT_MAX_BODY, type ApiRequest, type Route } from '../http.js';
import type { Router } from '../router.js';
import { BodyRefused, readBody, type BodyBudget } from './body.js';
import type { EdgeHandler } from './boundary.js';
import { send } from './send.js';

export interface ApiEdgeDeps {
  readonly router: Router;
  /** The SigV4 verifier when credentials are configured. */
  readonly auth: SigV4Verifier | undefined;
  readonly budget: BodyBudget;
  readonly log: (line: string) => void;
}

export function apiHandler(deps: ApiEdgeDeps): EdgeHandler {
  return async (req, res, requestId) => {
    const target = req.headers['x-amz-target'];
    const logs = typeof target === 'string' && target.startsWith('Logs_');
    try {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      const pending = deps.auth?.checkHeaders({ method, path, rawQuery, headers: req.headers });
      const match = deps.router.match(method, path);
      const route = typeof match === 'object' ? match.route : undefined;
      const body = await readApiBody(req, res, route, deps.budget);
      pending?.finish(sha256Hex(body));
      if (typeof match !== 'object') throw apiError('ResourceNotFoundException', `No lambkin API route for ${method} ${path}.`);
      const apiReq: ApiRequest = { method, path, params: match.params, query: new URLSearchParams(rawQuery), headers: req.headers, body, requestId };
      send(res, await match.operation(apiReq), requestId);
    } catch (err) {
      // A database outage is answered as one (sendApiError); anything else is a failure of ours:
      // the boundary logs it and answers for it.
      if (!(err instanceof ApiError) && !(err instanceof DatabaseUnavailable)) throw err;
      sendApiError(res, err, requestId, deps.log, { logs });
    }
  };
}

function readApiBody(req: IncomingMessage, res: ServerResponse, route: Route | undefined, budget: BodyBudget): Promise<Buffer> {
  const limit = route?.maxBody === undefined ? DEFAULT_MAX_BODY : typeof route.maxBody === 'number' ? route.maxBody : route.maxBody(req.headers);
  return readBody(req, res, limit, budget).catch((err: unknown) => {
    if (!(err instanceof BodyRefused)) throw apiError('InvalidRequestContentException', `The request body could not be read: ${(err as Error).message}.`);
    if (err.reason === 'too-large') {
      throw apiError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the ${route?.operationName ?? `${req.method} ${route?.pattern ?? 'requested'}`} operation`);
    }
    throw apiError('TooManyRequestsException',
      `lambkin is holding its limit of request bodies in memory (${err.limit} bytes, --max-request-buffer); retry shortly.`,
      { Reason: 'ServerBusy', retryAfterSeconds: 1 }, { 'retry-after': '1' });
  });
}
