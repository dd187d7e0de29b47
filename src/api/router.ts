// A small router: routes are matched segment by segment; `{x}` captures one segment
// (percent-decoded). Routes are few and fixed, so a linear scan over pre-split patterns is fast.
import type { Operation, Route } from './http.js';

interface Compiled {
  readonly method: string;
  readonly segments: readonly string[];
  readonly route: Route;
}

export interface Match {
  readonly operation: Operation;
  readonly params: Record<string, string>;
  readonly route: Route;
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(routes: readonly Route[]): this {
    for (const r of routes) this.routes.push({ method: r.method, segments: split(r.pattern), route: r });
    return this;
  }

  /** The match, 'method' when the path exists under another method, or undefined. */
  match(method: string, path: string): Match | 'method' | undefined {
    const parts = split(path);
    let pathExists = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { operation: route.route.operation, params, route: route.route };
      pathExists = true;
    }
    return pathExists ? 'method' : undefined;
  }
}

function split(path: string): string[] {
  const parts = path.split('/');
  if (parts[0] === '') parts.shift();
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.charCodeAt(0) === 123 /* { */) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]!);
      } catch {
        return undefined;
      }
      (params ??= {})[p.slice(1, -1)] = value;
    } else if (p !== parts[i]) {
      return undefined;
    }
  }
  return params ?? {};
}
