import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from './wrangler-dev.ts';

export interface StoreOrigin {
  /** The store's origin: its pages, and the collector under `basePath`. */
  origin: string;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * The store's own domain with the collector mounted on it, as a Worker route `shop.example/lt/*`
 * does in production: `basePath/*` goes to the collector, path unchanged, everything else to the
 * storefront, whose pages load the tag from under the base path (`/lt/lasttouch.js`). One
 * origin, so the page, the tag and the API are same-origin for the browser.
 */
export async function startStoreOrigin(storefront: string, collector: string, basePath: string): Promise<StoreOrigin> {
  const port = await freePort();
  const server: Server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    const mounted = path === basePath || path.startsWith(`${basePath}/`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
    const body = await readBody(req);
    try {
      const upstream = await fetch(`${mounted ? collector : storefront}${path}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
      });
      const out: Record<string, string | string[]> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-encoding', 'content-length', 'transfer-encoding', 'set-cookie'].includes(k)) out[k] = v;
      });
      const cookies = upstream.headers.getSetCookie();
      if (cookies.length > 0) out['set-cookie'] = cookies;
      let text = Buffer.from(await upstream.arrayBuffer());
      if (!mounted && (upstream.headers.get('content-type') ?? '').startsWith('text/html')) {
        text = Buffer.from(text.toString('utf8').replaceAll('src="/lasttouch.js"', `src="${basePath}/lasttouch.js"`));
      }
      res.writeHead(upstream.status, out);
      res.end(text);
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
