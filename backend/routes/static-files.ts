/** Serves the browser app's production build and the API docs page. */
import type { Context } from 'hono';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The file under `root` that a URL path names, or undefined when it escapes root or does not exist. */
function fileUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined; // a malformed %-escape names no file
  }
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  return existsSync(path) && extname(path) !== '' ? path : undefined;
}

/** Serves `root` as a single-page app: files by path, index.html for every other GET. */
export function serveSinglePageApp(root: string) {
  return async function serveSinglePageApp(c: Context): Promise<Response> {
    const file = fileUnder(root, c.req.path);
    if (file) {
      const hashed = c.req.path.startsWith('/assets/');
      return c.body(await readFile(file), 200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    const index = join(root, 'index.html');
    if (!existsSync(index))
      return c.html('<!doctype html><title>twinlab</title><p>The browser app is not built. Run <code>npm run build</code>, or use the API at <a href="/api/docs">/api/docs</a>.</p>', 503);
    return c.body(await readFile(index), 200, { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' });
  };
}

const swaggerRoot = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The browsable API page at /api/docs, served from the swagger-ui-dist package (no network needed). */
export async function apiDocsPage(c: Context): Promise<Response> {
  const asset = c.req.path.replace(/^\/api\/docs\/?/, '');
  // The start-up script is a file of its own: the Content-Security-Policy allows no inline scripts.
  if (asset === 'twinlab-docs.js')
    return c.body("window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true });\n", 200, { 'content-type': TYPES['.js'] });
  if (asset !== '') {
    const file = fileUnder(swaggerRoot, '/' + asset);
    if (!file) return c.json({ error: { code: 'not_found', message: `no docs asset ${asset}` } }, 404);
    return c.body(await readFile(file), 200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  }
  return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twinlab API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/twinlab-docs.js"></script></body></html>`);
}
