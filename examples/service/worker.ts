import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { container } from 'tsyringe';
import { ExecutionUtils } from '../../src';
import { HandCachedItems } from './hand-cached-items';
import { handler } from './http-app';
import { ItemRepository, type Items } from './item-repository';
import type { ServiceConfig } from './service-config';

/** A cache bound a worker's entries stay well under: the memory alert has a bound to compare to. */
const CACHE_MAX_BYTES = 256 * 1024 * 1024;

/** The service of one worker: in-process tier, Redis tier as configured, metrics on its registry. */
function serviceFor(config: ServiceConfig, registry: Registry): ExecutionUtils {
  const cached = config.cache === 'redis' || config.cache === 'memory';
  return new ExecutionUtils({
    cacheSize: cached ? config.cacheSize : 0,
    cacheMaxBytes: cached ? CACHE_MAX_BYTES : undefined,
    tenant: 'required',
    metrics: { registry },
    namespace: config.namespace,
    redis: config.cache === 'redis' ? { url: config.redisUrl } : undefined,
    // A profile overrides the decorator: the TTL is the deployment's to choose.
    operations: { item: { cacheTtl: config.cacheTtlMs } },
  });
}

/**
 * Runs worker `index`: the API on the shared port and on its own (`port + 1 + index`, which
 * Prometheus scrapes), until SIGTERM, which closes the servers, the service and the pool.
 */
export async function runWorker(config: ServiceConfig, index: number): Promise<void> {
  const registry = new Registry();
  const utils = serviceFor(config, registry);
  // Decorated methods read the instance registered here at each call.
  container.registerInstance(ExecutionUtils, utils);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 16 });
  // An idle client's error (the server went away) is the next query's business, not a crash.
  pool.on('error', () => {});
  const repository = new ItemRepository(pool, utils);
  const items: Items =
    config.cache === 'hand'
      ? new HandCachedItems(repository, config.cacheSize, config.cacheTtlMs)
      : repository;
  const serve = handler({
    items,
    utils,
    worker: String(index),
    metrics: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
  });
  const servers = [config.port, config.port + 1 + index].map((port) => listen(serve, port));
  await Promise.all(servers.map(({ ready }) => ready));
  process.once('SIGTERM', () => {
    void (async () => {
      await Promise.all(servers.map(({ server }) => new Promise((done) => server.close(done))));
      await utils.close();
      await pool.end();
      process.exit(0);
    })();
  });
}

function listen(
  serve: Parameters<typeof createServer>[1],
  port: number,
): { server: Server; ready: Promise<void> } {
  const server = createServer({ keepAlive: true }, serve);
  // Keep-alive connections the load generator holds open must not hold up a shutdown.
  server.keepAliveTimeout = 5_000;
  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, ready };
}
