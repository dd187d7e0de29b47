// The platform says so when a function is created or updated with its logging switched off
// (LambkinLogging: false / `lambkin deploy --no-logs`): once per function, in the server's log,
// because nobody will see that function's output — only its invocation records are kept.
// It wraps the control-plane routes and reads the FunctionConfiguration they answer with.
import type { Route } from '../http.js';

export function warnWhenLoggingOff(routes: readonly Route[], log: (line: string) => void): Route[] {
  const warned = new Set<string>();
  const look = (body: unknown) => {
    if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return;
    const config = body as { FunctionName?: unknown; LambkinLogging?: unknown };
    if (typeof config.FunctionName !== 'string') return;
    if (config.LambkinLogging !== false) {
      warned.delete(config.FunctionName); // on again: warn again if it is switched off later
    } else if (!warned.has(config.FunctionName)) {
      warned.add(config.FunctionName);
      log(
        `lambkin: warning: logging is off for function ${config.FunctionName}: no visibility into its output ` +
          '(nothing it prints is kept; only its invocation records are). Switch it on with LambkinLogging: true or `lambkin deploy --logs`.',
      );
    }
  };
  return routes.map((route) =>
    route.method === 'GET' ? route : {
      ...route,
      operation: async (req) => {
        const res = await route.operation(req);
        if (res.status < 300) look(res.body);
        return res;
      },
    },
  );
}
