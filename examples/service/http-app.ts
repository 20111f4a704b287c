import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  TimeoutError,
  runWithContext,
  type ExecutionUtils,
} from '../../src';
import type { Items } from './item-repository';

/** What a request handler serves: the items, the service's health, its metrics text. */
export interface AppParts {
  items: Items;
  utils: ExecutionUtils;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** Named in the `x-worker` header of every response: which worker answered. */
  worker: string;
}

/** The status a failure is answered with: the policies' refusals are the client's to retry. */
function statusOf(error: unknown): number {
  if (error instanceof CircuitOpenError || error instanceof BulkheadRejectedError) return 503;
  if (error instanceof TimeoutError) return 504;
  if (error instanceof HttpError) return error.status;
  return 500;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function idOf(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(400, `not an item id: ${text}`);
  return id;
}

async function bodyOf(req: IncomingMessage): Promise<{ name?: string; price?: number }> {
  let text = '';
  for await (const chunk of req) text += chunk;
  let body: unknown;
  try {
    body = JSON.parse(text || '{}');
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (typeof body !== 'object' || body === null)
    throw new HttpError(400, 'the body is a JSON object');
  const { name, price } = body as { name?: unknown; price?: unknown };
  if (name !== undefined && typeof name !== 'string') throw new HttpError(400, 'name is a string');
  if (price !== undefined && !Number.isInteger(price))
    throw new HttpError(400, 'price is an integer');
  return { name, price: price as number | undefined };
}

/**
 * The API, on `node:http` (no framework: the example shows the library, and one handler is all
 * an HTTP layer needs to do here, which is to enter the request's tenant once):
 *
 *   GET /items/:id              one item of the tenant in `x-tenant`
 *   GET /items?ids=1,2,3        several (one batched query for the ids not cached)
 *   PUT /items/:id {name,price} a write: every worker's cached copies are dropped
 *   GET /health                 health(): 200 healthy or degraded, 503 unhealthy
 *   GET /metrics                the Prometheus exposition text
 */
export function handler(parts: AppParts): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.setHeader('x-worker', parts.worker);
    void route(parts, req, res).catch((error: unknown) => {
      const status = statusOf(error);
      if (status === 500) console.error(error);
      if (!res.headersSent) send(res, status, { error: String(error) });
    });
  };
}

async function route(parts: AppParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') {
    const health = await parts.utils.health();
    return send(res, health.status === 'unhealthy' ? 503 : 200, {
      worker: parts.worker,
      pid: process.pid,
      ...health,
    });
  }
  if (url.pathname === '/metrics') {
    const { contentType, text } = await parts.metrics();
    res.writeHead(200, { 'content-type': contentType });
    return void res.end(text);
  }
  const tenant = req.headers['x-tenant'];
  if (typeof tenant !== 'string' || tenant === '') throw new HttpError(400, 'x-tenant is required');
  // The request's tenant, entered once: every cached call below is keyed by it.
  return runWithContext({ userId: tenant }, () => items(parts.items, url, req, res));
}

async function items(
  items: Items,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const one = /^\/items\/([^/]+)$/.exec(url.pathname);
  if (one && req.method === 'GET') {
    const item = await items.get(idOf(one[1]));
    return item ? send(res, 200, item) : send(res, 404, { error: 'no such item' });
  }
  if (one && req.method === 'PUT') {
    const item = await items.update(idOf(one[1]), await bodyOf(req));
    return item ? send(res, 200, item) : send(res, 404, { error: 'no such item' });
  }
  if (url.pathname === '/items' && req.method === 'GET') {
    const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean).map(idOf);
    if (ids.length > 1_000) throw new HttpError(400, 'at most 1,000 ids');
    return send(res, 200, await items.getMany(ids));
  }
  throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
}
