import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from './wrangler-dev.ts';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const sdkBuild = fileURLToPath(new URL('../../../sdk/dist/lasttouch.js', import.meta.url));

export interface Storefront {
  origin: string;
  /** URL of a fixture page wired to a site: `page('widgets.html', {writeKey, api})`. */
  page(name: string, params: PageParams): string;
  close(): Promise<void>;
}

export interface PageParams {
  writeKey: string;
  api: string;
  /** Extra attributes on the script tag, e.g. `data-consent="required"`. */
  attrs?: string;
}

/**
 * A storefront on its own origin (another port than the collector), so CORS and `text/plain`
 * beacons are exercised for real. Fixture pages get the script tag filled in from the query.
 */
export async function startStorefront(): Promise<Storefront> {
  const port = await freePort();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    try {
      if (url.pathname === '/lasttouch.js') {
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(await readFile(sdkBuild));
        return;
      }
      const name = url.pathname.slice(1) || 'widgets.html';
      if (!/^[a-z0-9-]+\.html$/.test(name)) throw new Error('not a fixture');
      const template = await readFile(`${fixtures}${name}`, 'utf8');
      const tag = `<script>window.lasttouch=window.lasttouch||function(){(lasttouch.q=lasttouch.q||[]).push(arguments)}</script>
<script async src="/lasttouch.js" data-site="${url.searchParams.get('k')}" data-api="${url.searchParams.get('api')}" ${url.searchParams.get('attrs') ?? ''}></script>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(template.replace('<!--lasttouch-->', tag));
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    page(name, { writeKey, api, attrs }) {
      const query = new URLSearchParams({ k: writeKey, api });
      if (attrs) query.set('attrs', attrs);
      return `${origin}/${name}?${query}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
