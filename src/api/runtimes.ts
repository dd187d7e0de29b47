// GET /lambkin/v1/runtimes — the runtime catalogue as this server sees it: every runtime with its
// ids, installed / missing (and what to install) / unavailable (and why). `lambkin runtimes`
// reads it, so that the CLI still talks to the server only over HTTP, and shows what the server
// (which may run on another machine) can run.
import type { Route } from './http.js';
import { json } from './http.js';
import { describeRuntimes } from '../runtimes/describe.js';

export function runtimesRoutes(): Route[] {
  return [{ method: 'GET', pattern: '/lambkin/v1/runtimes', operation: () => json(200, { runtimes: describeRuntimes() }) }];
}
