import { createServer, type Server } from 'node:net';
import type { HealthReport } from '../../src';
import type { Item } from '../../examples/service/schema';
import { spawnService, type RunningService } from '../../examples/service/launch';
import { redisAvailable } from '../cache/redis/redis-server';
import { describePostgres, type PostgresServer } from './postgres-server';
import { startServiceUnderTest } from './service-under-test';

// The example service as a user runs it: two worker processes over a PostgreSQL and a Redis of
// the test's own, real HTTP requests to each worker's own port.

let postgres: PostgresServer;
let service: RunningService;
let stop: (() => Promise<void>) | undefined;

async function call<T = Record<string, unknown>>(
  port: number,
  path: string,
  init: { tenant?: string; method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T; worker: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.tenant ? { 'x-tenant': init.tenant } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as T, worker: res.headers.get('x-worker'), text };
}

/** The sum of a metric's samples whose line contains every one of `parts`, in a /metrics text. */
function sample(text: string, name: string, ...parts: string[]): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !parts.every((p) => line.includes(p))) continue;
    if (line[name.length] !== ' ' && line[name.length] !== '{') continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

const describeService = redisAvailable ? describePostgres : describe.skip;

describeService('the example service (HTTP + PostgreSQL + Redis, two workers)', () => {
  beforeAll(async () => {
    ({ postgres, service, stop } = await startServiceUnderTest('example-test'));
  }, 90_000);

  afterAll(() => stop?.());

  it('serves each worker on its own port, and refuses a request without a tenant', async () => {
    const [a, b] = service.workerPorts;
    expect((await call(a, '/items/1', { tenant: 't1' })).worker).toBe('0');
    expect((await call(b, '/items/1', { tenant: 't1' })).worker).toBe('1');
    expect((await call(a, '/items/1')).status).toBe(400);
    expect((await call(a, '/items/999', { tenant: 't1' })).status).toBe(404);
  });

  it("keeps tenants apart: the same id is each tenant's own row", async () => {
    const [a] = service.workerPorts;
    const one = await call(a, '/items/7', { tenant: 't2' });
    const other = await call(a, '/items/7', { tenant: 't3' });
    expect(one.body).toMatchObject({ tenant: 't2', id: 7 });
    expect(other.body).toMatchObject({ tenant: 't3', id: 7 });
  });

  it('a write in one worker drops the cached read in the other', async () => {
    const [a, b] = service.workerPorts;
    const before = await call(b, '/items/5', { tenant: 't4' });
    expect(before.body).toMatchObject({ tenant: 't4', id: 5, version: 1 });
    // Cached in B now: a second read is a hit there.
    expect((await call(b, '/items/5', { tenant: 't4' })).body).toEqual(before.body);
    const write = await call(a, '/items/5', { tenant: 't4', method: 'PUT', body: { price: 4242 } });
    expect(write.body).toMatchObject({ price: 4242, version: 2 });
    // The invalidation reaches B over Redis pub/sub a moment after the write answered.
    let after = await call<Item>(b, '/items/5', { tenant: 't4' });
    for (let tries = 0; after.body.version !== 2 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await call<Item>(b, '/items/5', { tenant: 't4' });
    }
    expect(after.body).toMatchObject({ tenant: 't4', id: 5, price: 4242, version: 2 });
    // Another tenant's item 5 is untouched.
    expect((await call(b, '/items/5', { tenant: 't5' })).body).toMatchObject({ version: 1 });
  });

  it('answers a list in order, with the rows of one batched query, sharing entries with single reads', async () => {
    const [a] = service.workerPorts;
    const list = await call<(Item | null)[]>(a, '/items?ids=3,1,2,1,999', { tenant: 't6' });
    expect(list.status).toBe(200);
    expect(list.body.map((item) => item?.id ?? null)).toEqual([3, 1, 2, 1, null]);
    const metrics = (await call(a, '/metrics')).text;
    expect(
      sample(metrics, 'cache_batch_size_count', 'operation_type="item"'),
    ).toBeGreaterThanOrEqual(1);
    const hitsBefore = sample(metrics, 'cache_hits_total', 'operation_type="item"');
    await call(a, '/items/3', { tenant: 't6' });
    const hitsAfter = sample(
      (await call(a, '/metrics')).text,
      'cache_hits_total',
      'operation_type="item"',
    );
    expect(hitsAfter).toBe(hitsBefore + 1);
  });

  it("exports the library's metrics, the original's alert inputs included, on each worker", async () => {
    const [a] = service.workerPorts;
    await call(a, '/items/9', { tenant: 't7' });
    await call(a, '/items/9', { tenant: 't7' });
    const metrics = await call(a, '/metrics');
    expect(metrics.status).toBe(200);
    for (const name of [
      'cache_hits_total',
      'cache_misses_total',
      'operation_executions_total',
      'retry_attempts_total',
      'timeout_errors_total',
      'cache_memory_bytes',
      'cache_max_bytes',
      'circuit_state',
      'bulkhead_in_use',
      'cache_remote_hits_total',
    ]) {
      expect(metrics.text).toContain(`# TYPE ${name} `);
    }
    expect(sample(metrics.text, 'cache_max_bytes')).toBe(256 * 1024 * 1024);
    expect(sample(metrics.text, 'cache_memory_bytes')).toBeGreaterThan(0);
    expect(
      sample(metrics.text, 'operation_executions_total', 'operation_type="item"'),
    ).toBeGreaterThan(0);
  });

  it('reports its health with the Redis tier and the four rates', async () => {
    const [a] = service.workerPorts;
    await call(a, '/items/11', { tenant: 't8' });
    await call(a, '/items/11', { tenant: 't8' });
    const health = await call<HealthReport & { worker: string }>(a, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      worker: '0',
      status: 'healthy',
      tiers: { redis: { status: 'up' } },
    });
    const { rates } = health.body;
    if (!rates) throw new Error('no rates in the health report');
    expect(rates.hitRate).toBeGreaterThan(0);
    expect(rates.hitRate).toBeLessThanOrEqual(1);
    expect(rates.timeoutRate).toBe(0);
    expect(rates.memoryUsage).toBeGreaterThan(0);
    expect(rates.memoryUsage).toBeLessThan(0.9);
  });

  it('stops with an error when a worker cannot start, instead of starting it again forever', async () => {
    // Worker 0's own port is taken: that worker fails at start, every time it would be restarted.
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const workerPort = (taken.address() as { port: number }).port;
    try {
      const child = spawnService({
        PORT: String(workerPort - 1),
        WORKERS: '1',
        DATABASE_URL: postgres.url,
        CACHE: 'memory',
        TENANTS: '20',
        ITEMS_PER_TENANT: '50',
      });
      let errors = '';
      child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(exit).toBe(1);
      expect(errors).toContain('EADDRINUSE');
      expect(errors.match(/worker 0 failed to start/g)).toHaveLength(1);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 30_000);
});
