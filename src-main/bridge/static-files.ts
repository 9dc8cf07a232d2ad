// Serves the built renderer (out/renderer) on the API server's port. Paths the API owns are left
// alone; unknown paths without a file extension get index.html so that a reload on a client-side
// route still loads the app.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

// Never answered with the app, even when no file matches: these belong to the API server.
const API_PREFIXES = ['/api', '/apis', '/openapi', '/version', '/healthz', '/livez', '/readyz', '/metrics', '/kubelab/ws'];

// The page talks only to its own origin; nothing inline runs.
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function createStaticHandler(staticDir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = resolve(staticDir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    if (path.includes('\0') || API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return false;
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return false;
    let size = fileSize(file);
    if (size === undefined) {
      if (extname(path) !== '') return false;
      file = join(root, 'index.html');
      size = fileSize(file);
      if (size === undefined) return false;
    }
    // Vite puts content hashes in asset names, so they can be cached for good; index.html cannot.
    const immutable = path.startsWith('/assets/');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return true;
  };
}

function fileSize(path: string): number | undefined {
  try {
    // Directories (including the root itself) fall through to the index.html fallback.
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}
