import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from './wrangler-dev.ts';

export type Fault = 'pass' | '503' | '429';

export interface SentBatch {
  ids: string[];
  /** What the visitor's browser was answered. */
  status: number;
  /** The collector's answer, when the batch got through. */
  answer?: { accepted: number; duplicates: number };
}

export interface FaultyProxy {
  origin: string;
  fault: Fault;
  batches: SentBatch[];
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const idsOf = (body: Buffer): string[] => {
  try {
    return ((JSON.parse(body.toString('utf8')) as { e?: { id: string }[] }).e ?? []).map((e) => e.id);
  } catch {
    return [];
  }
};

/**
 * Stands between the storefront and the collector and, on demand, answers `/v1/events` with
 * 503 or 429 and `Retry-After: 1` instead of passing the batch on: a collector that is
 * overloaded or rate limiting, as the SDK meets it, without changing the collector.
 */
export async function startFaultyProxy(collectorOrigin: string): Promise<FaultyProxy> {
  const port = await freePort();
  const proxy: FaultyProxy = { origin: `http://127.0.0.1:${port}`, fault: 'pass', batches: [], close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const cors = { 'access-control-allow-origin': req.headers.origin ?? '*', vary: 'Origin' };
    if (req.url === '/v1/events' && req.method === 'POST' && proxy.fault !== 'pass') {
      proxy.batches.push({ ids: idsOf(body), status: Number(proxy.fault) });
      res.writeHead(Number(proxy.fault), { ...cors, 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'injected fault' } }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
    const upstream = await fetch(`${collectorOrigin}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
    });
    const text = await upstream.text();
    if (req.url === '/v1/events' && req.method === 'POST') {
      proxy.batches.push({
        ids: idsOf(body),
        status: upstream.status,
        ...(upstream.status === 202 ? { answer: JSON.parse(text) } : {}),
      });
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding') out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}
