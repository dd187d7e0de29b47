// The web console's files (built by Vite into dist/console/ by `npm run build`), served at
// /console/ on the API's port. They hold no data and no secret, so they are served before the
// API's auth: the app itself asks for credentials when the API wants them, and signs its calls.
// Hashed assets are cached for a year; index.html is revalidated (ETag) so a rebuild shows at once.
// Any other path under /console/ is a page of the app: it gets index.html (the app routes).
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const PREFIX = '/console';
/** dist/api/console/static.js → dist/console/ */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
  '.map': 'application/json', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};
const SECURITY = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // uPlot sizes its canvas with style attributes; everything else comes from this server.
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

interface Cached {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly etag: string;
}

/** True for the paths this serves: /console, /console/…, and a browser's GET / (redirected here). */
export function isConsolePath(url: string | undefined, method: string | undefined, accept: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0]!;
  if (path === '/' && method === 'GET' && accept?.includes('text/html')) return true;
  return path === PREFIX || path.startsWith(`${PREFIX}/`);
}

export function consoleHandler(dir: string = CONSOLE_DIR): (req: IncomingMessage, res: ServerResponse) => void {
  const cache = new Map<string, Cached>();
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'The console is read with GET.', { allow: 'GET, HEAD' });
    if (path === '/' || path === PREFIX) return plain(res, 308, '', { location: `${PREFIX}/` });
    let rel: string;
    try {
      rel = decodeURIComponent(path.slice(PREFIX.length + 1));
    } catch {
      return plain(res, 400, 'Bad path.');
    }
    let file = rel === '' ? undefined : normalize(join(dir, rel));
    if (file !== undefined && !file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return plain(res, 404, 'Not found.');
    let entry = file && load(cache, file);
    if (!entry) {
      // A missing asset is a 404 (a stale page asking for an old bundle must not get HTML as JS).
      if (rel.startsWith('assets/') || extname(rel) !== '') return plain(res, 404, 'Not found.');
      file = join(dir, 'index.html');
      entry = load(cache, file);
      if (!entry) return plain(res, 503, 'The console is not built: run `npm run build` (it runs on `npm ci` and before `npm start`).');
    }
    const immutable = rel.startsWith('assets/');
    const headers: Record<string, string | number> = {
      ...SECURITY,
      'content-type': TYPES[extname(file!)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: entry.etag,
      vary: 'accept-encoding',
    };
    if (req.headers['if-none-match'] === entry.etag) return void res.writeHead(304, headers).end();
    const gzip = entry.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? entry.gzip! : entry.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function load(cache: Map<string, Cached>, file: string): Cached | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const body = readFileSync(file);
  const compressible = /^(text\/|application\/json|image\/svg)/.test(TYPES[extname(file)] ?? '');
  const entry: Cached = {
    mtimeMs: st.mtimeMs, size: st.size, body, gzip: compressible && body.length > 1024 ? gzipSync(body) : undefined,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
  };
  cache.set(file, entry);
  return entry;
}

function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}
