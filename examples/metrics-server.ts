/**
 * A Prometheus endpoint over a demo service under generated traffic: `/metrics` (the exposition
 * text Prometheus scrapes) and `/health` (JSON; 200 healthy or degraded, 503 unhealthy). A timer
 * makes cached (hit, coalesced, served stale, evicting), retried, timed-out, breaker-guarded and
 * bulkheaded calls ten times a second, so every metric of the dashboard in `examples/grafana/` moves.
 *
 *   npm run example:metrics          # PORT (default 9464) and HOST (default 127.0.0.1) to change
 *   curl http://127.0.0.1:9464/metrics
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the server, then the traffic, then the service.
 */
import 'reflect-metadata';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { container } from 'tsyringe';
import {
  Bulkhead,
  Cached,
  CircuitBreaker,
  ExecutionUtils,
  Retry,
  Timeout,
  currentSignal,
} from '../src';

/** A remote dependency that answers in `ms`, and stops waiting when the call is aborted. */
const remote = (ms: number): Promise<void> => sleep(ms, undefined, { signal: currentSignal() });

/** Entries the demo's cache holds: the long tail of `Catalog.details` keeps pushing some out. */
const CACHE_SIZE = 50;
const CACHE_MAX_BYTES = 16 * 1024 * 1024;

class Catalog {
  @Cached({ ttl: 2_000, tenant: 'shared' })
  async price(sku: string): Promise<number> {
    await remote(15);
    return sku.length * 10;
  }

  /** Asked for twice at once for a new item each round: the second caller joins the first load. */
  @Cached({ ttl: 60_000, tenant: 'shared' })
  async details(item: string): Promise<string> {
    await remote(15);
    return `details of ${item}`;
  }

  /** Expires after 200 ms but may be served for 5 s more while one refresh runs behind it. */
  @Cached({ ttl: 200, staleWhileRevalidate: 5_000, tenant: 'shared' })
  async exchangeRate(currency: string): Promise<number> {
    await remote(15);
    return currency === 'EUR' ? 1 : 1.1;
  }
}

class Inventory {
  private calls = 0;

  /** Every third call fails once, then succeeds on its retry. */
  @Retry({ attempts: 3, backoff: 20, minDelay: 20, maxDelay: 100 })
  async stock(sku: string): Promise<number> {
    await remote(5);
    if (this.calls++ % 3 === 0) throw new Error(`inventory busy (${sku})`);
    return 7;
  }
}

class Search {
  /** Every fourth query is slower than its 100 ms limit. */
  @Timeout(100)
  async query(text: string, slow: boolean): Promise<string[]> {
    await remote(slow ? 250 : 20);
    return [text];
  }
}

class Payments {
  down = false;

  @CircuitBreaker({ consecutiveFailures: 3, halfOpenAfter: 2_000 })
  async charge(cents: number): Promise<string> {
    await remote(10);
    if (this.down) throw new Error('payment provider unavailable');
    return `charged ${cents}`;
  }
}

class Reports {
  /** Slow and limited: two at a time, two waiting, the rest refused. */
  @Bulkhead({ maxConcurrent: 2, maxQueue: 2 })
  async render(): Promise<string> {
    await remote(300);
    return 'report';
  }
}

export interface MetricsServerOptions {
  /** Port to listen on; 0 picks a free one. Default 9464 (Prometheus' exporter range). */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`: use `0.0.0.0` to be scraped from elsewhere. */
  host?: string;
  /** Milliseconds between two rounds of generated calls. Default 100. */
  trafficIntervalMs?: number;
}

export interface MetricsServer {
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** Stops the server, the traffic and the service; resolves once nothing is left running. */
  close(): Promise<void>;
}

/**
 * Starts the demo service, its traffic and the HTTP server.
 *
 * @example
 * const server = await startMetricsServer({ port: 0 });
 * const text = await (await fetch(`${server.url}/metrics`)).text();
 * await server.close();
 */
export async function startMetricsServer(
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const { port = 9464, host = '127.0.0.1', trafficIntervalMs = 100 } = options;
  const registry = new Registry();
  // A byte bound, so the dashboard's memory panel has one to draw its entries against.
  const utils = new ExecutionUtils({
    cacheSize: CACHE_SIZE,
    cacheMaxBytes: CACHE_MAX_BYTES,
    metrics: { registry },
  });
  container.registerInstance(ExecutionUtils, utils);

  const traffic = startTraffic(trafficIntervalMs);
  const server = createServer((req, res) => {
    handle(req, res, registry, utils).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets would hold close() open
      await closed;
      await traffic.stop();
      await utils.close();
    })());
  return { url, close };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  utils: ExecutionUtils,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
  } else if (path === '/metrics') {
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
  } else if (path === '/health') {
    const report = await utils.health();
    res
      .writeHead(report.status === 'unhealthy' ? 503 : 200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(report));
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('try /metrics or /health\n');
  }
}

/** Rounds of calls on a timer; `stop()` ends the timer and waits for the calls in flight. */
function startTraffic(intervalMs: number): { stop(): Promise<void> } {
  const catalog = new Catalog();
  const inventory = new Inventory();
  const search = new Search();
  const payments = new Payments();
  const reports = new Reports();
  const inFlight = new Set<Promise<unknown>>();
  const track = (call: () => Promise<unknown>): void => {
    const settled = call().then(
      () => undefined,
      () => undefined, // failures are what the metrics are for; nothing to do with them here
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
  };
  let round = 0;
  const timer = setInterval(() => {
    const n = round++;
    const sku = `sku-${n % 5}`; // five products: mostly cache hits after the first rounds
    payments.down = Math.floor(n / 50) % 2 === 1; // down 5 s out of every 10 s (at 100 ms)
    track(() => catalog.price(sku));
    const item = `item-${n}`; // a key no round asked for before: a miss, then a coalesced miss
    track(() => catalog.details(item));
    track(() => catalog.details(item));
    track(() => catalog.exchangeRate('USD'));
    track(() => inventory.stock(sku));
    track(() => search.query(sku, n % 4 === 0));
    track(() => payments.charge(n));
    track(() => reports.render());
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 9464);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got '${process.env.PORT}'`);
  }
  const server = await startMetricsServer({ port, host: process.env.HOST || undefined });
  console.log(`metrics: ${server.url}/metrics  health: ${server.url}/health  (Ctrl-C to stop)`);
  const shutdown = (signal: string): void => {
    console.log(`${signal}: stopping`);
    server.close().then(
      () => console.log('stopped'),
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
