// Every API route the server declares, read from the source (src/api/**): `{ method: 'X', pattern: … }`
// where the pattern is a string literal, a `const` of the same file, or a template over such
// consts. Read rather than listed by hand, so that a route added tomorrow is fuzzed tomorrow.
// listenerRoutes() adds the main listener's other surfaces, whose prefixes are read the same way:
// function URLs (any method, any path under /url/<name>/) and the console's files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RouteSpec {
  readonly method: string;
  readonly pattern: string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') ? [p] : [];
  });
}

export function declaredRoutes(srcApi: string): RouteSpec[] {
  const found = new Map<string, RouteSpec>();
  for (const file of files(srcApi)) {
    const text = readFileSync(file, 'utf8');
    const consts = new Map<string, string>();
    for (const m of text.matchAll(/const (\w+) = '([^']*)';/g)) consts.set(m[1]!, m[2]!);
    const resolve = (expr: string): string | undefined => {
      expr = expr.trim();
      if (/^'[^']*'$/.test(expr)) return expr.slice(1, -1);
      if (/^`[^`]*`$/.test(expr)) {
        let ok = true;
        const out = expr.slice(1, -1).replace(/\$\{(\w+)\}/g, (_, name: string) => {
          const value = consts.get(name);
          if (value === undefined) ok = false;
          return value ?? '';
        });
        return ok ? out : undefined;
      }
      return consts.get(expr);
    };
    for (const m of text.matchAll(/method: '([A-Z]+)',\s*pattern: ([^,]+),/g)) {
      const pattern = resolve(m[2]!);
      if (pattern === undefined || !pattern.startsWith('/')) continue;
      found.set(`${m[1]} ${pattern}`, { method: m[1]!, pattern });
    }
  }
  return [...found.values()].sort((a, b) => (a.pattern + a.method).localeCompare(b.pattern + b.method));
}

function constIn(file: string, name: string): string {
  const m = new RegExp(`const ${name} = '([^']*)';`).exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`${file} no longer declares ${name}: update fuzz-routes.ts`);
  return m[1]!;
}

/** Every route of the main listener: the APIs' (declaredRoutes), function URLs, console files. */
export function listenerRoutes(srcApi: string): RouteSpec[] {
  const url = constIn(join(srcApi, 'urls/config.ts'), 'URL_PREFIX'); // '/url/'
  const console = constIn(join(srcApi, 'console/static.ts'), 'PREFIX'); // '/console'
  const surfaces: RouteSpec[] = [
    ...['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'].map((method) => ({ method, pattern: `${url}{name}/{path}` })),
    { method: 'POST', pattern: `${url}{name}` },
    { method: 'GET', pattern: `${console}/{path}` },
    { method: 'GET', pattern: `${console}/assets/{path}` },
    { method: 'GET', pattern: console },
  ];
  return [...declaredRoutes(srcApi), ...surfaces];
}
