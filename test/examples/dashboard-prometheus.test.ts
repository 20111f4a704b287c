import type { RunningService } from '../../examples/service/launch';
import { redisAvailable, type RedisServer } from '../cache/redis/redis-server';
import { dashboard } from './dashboard';
import { describePostgres, type PostgresServer } from './postgres-server';
import {
  HOW_TO_ENABLE_PROMETHEUS,
  prometheusFound,
  startPrometheus,
  type PrometheusServer,
} from './prometheus-server';
import { startServiceUnderTest } from './service-under-test';

// The Grafana dashboard against the example service as it runs: a real Prometheus scrapes both
// workers with the shipped config and alert rules, after traffic that moves every panel (hits
// and misses, a list, a write, a PostgreSQL that stops answering, a Redis that stalls), and each
// panel's PromQL is asked of its HTTP API.

/**
 * Short enough that the entries read first are expired (stale) when PostgreSQL stops answering,
 * long enough that the other worker finds them in Redis on a loaded machine.
 */
const TTL_MS = 1_000;
const DATA_WITHIN_MS = 20_000;

let postgres: PostgresServer;
let redis: RedisServer;
let service: RunningService;
let stop: (() => Promise<void>) | undefined;
let prometheus: PrometheusServer;

async function get(port: number, path: string, tenant = 't1'): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-tenant': tenant } });
  await res.arrayBuffer();
  return res.status;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The expression's result, waiting for scrapes until it has one (or the deadline passes). */
async function resultOf(expr: string, until: number): Promise<number[]> {
  for (;;) {
    const result = await prometheus.query(expr);
    if (result.length > 0 || Date.now() > until) return result.map((r) => Number(r.value[1]));
    await sleep(250);
  }
}

if (!prometheusFound && process.env.CI !== 'true') {
  console.warn(`Skipping the dashboard over a real Prometheus: ${HOW_TO_ENABLE_PROMETHEUS}`);
}
const describeAll =
  redisAvailable && (prometheusFound || process.env.CI === 'true')
    ? describePostgres
    : describe.skip;

describeAll('the Grafana dashboard over a real Prometheus scraping the example service', () => {
  beforeAll(async () => {
    if (!prometheusFound) throw new Error(`prometheus is not on PATH: ${HOW_TO_ENABLE_PROMETHEUS}`);
    ({ postgres, redis, service, stop } = await startServiceUnderTest('dashboard-test', {
      CACHE_TTL_MS: String(TTL_MS),
    }));
    prometheus = await startPrometheus(service.workerPorts);
    // Scraping both workers before the traffic starts: the breaker's open seconds are caught.
    const until = Date.now() + DATA_WITHIN_MS;
    while ((await resultOf('up == 1', until)).length < 2 && Date.now() < until) await sleep(250);
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stop?.();
  });

  it("answers every panel's query with the service's data, after traffic that moves each panel", async () => {
    const [a, b] = service.workerPorts;
    // A miss in worker a, at once a Redis hit in worker b, later an in-process hit in a; a list; a
    // write. Then the entries expire.
    for (let id = 1; id <= 10; id++) {
      expect([await get(a, `/items/${id}`), await get(b, `/items/${id}`)]).toEqual([200, 200]);
    }
    const loaded = Date.now();
    for (let id = 1; id <= 10; id++) expect(await get(a, `/items/${id}`)).toBe(200);
    expect(await get(a, '/items?ids=11,12,13')).toBe(200);
    const write = await fetch(`http://127.0.0.1:${a}/items/2`, {
      method: 'PUT',
      headers: { 'x-tenant': 't1', 'content-type': 'application/json' },
      body: JSON.stringify({ price: 7 }),
    });
    expect(write.status).toBe(200);
    await sleep(Math.max(0, loaded + TTL_MS + 50 - Date.now()));

    // PostgreSQL stops answering: each attempt times out after 1 s and is retried once; five
    // callers of one uncached item share one load (coalesced); expired entries are served stale
    // instead of the error; the failures open the 'postgres' breaker.
    postgres.freeze();
    let statuses: number[];
    try {
      statuses = await Promise.all([
        ...Array.from({ length: 5 }, () => get(a, '/items/40')),
        ...[41, 42, 43].map((id) => get(a, `/items/${id}`)),
        ...[1, 3, 4].map((id) => get(a, `/items/${id}`)),
      ]);
    } finally {
      postgres.thaw();
    }
    expect(statuses.slice(0, 8).every((status) => status >= 500)).toBe(true);
    expect(statuses.slice(8)).toEqual([200, 200, 200]);

    // Redis stalls past its command timeout while worker b looks up items it has not cached.
    redis.pause();
    try {
      await Promise.all([21, 22, 23].map((id) => get(b, `/items/${id}`)));
    } finally {
      redis.resume();
    }

    const until = Date.now() + DATA_WITHIN_MS;
    const empty: string[] = [];
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        if ((await resultOf(expr, until)).length === 0) empty.push(`${panel.title}: ${expr}`);
      }
    }
    expect(empty).toEqual([]);

    // What the traffic did, as Prometheus has it: each kind of event counted.
    const total = async (expr: string): Promise<number> =>
      (await resultOf(expr, until)).reduce((sum, value) => sum + value, 0);
    expect(await total('sum(cache_hits_total{operation_type="item"})')).toBeGreaterThan(0);
    expect(await total('sum(cache_remote_hits_total)')).toBeGreaterThan(0);
    expect(await total('sum(retry_attempts_total)')).toBeGreaterThan(0);
    expect(await total('sum(timeout_errors_total{scope="attempt"})')).toBeGreaterThan(0);
    expect(await total('sum(cache_coalesced_total)')).toBeGreaterThanOrEqual(4);
    expect(await total('sum(cache_stale_served_total)')).toBeGreaterThanOrEqual(3);
    expect(await total('sum(cache_remote_errors_total)')).toBeGreaterThan(0);
    expect(await total('max_over_time(circuit_state{breaker="postgres"}[1m])')).toBe(2);
    expect(await total('count(up == 1)')).toBe(2);
  }, 60_000);

  it('loads the shipped alert rules and evaluates them, none firing before its `for:`', async () => {
    const groups = await prometheus.rules();
    const rules = groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.name).sort()).toEqual([
      'CacheHitRateLow',
      'CacheMemoryHigh',
      'RetryRateHigh',
      'TimeoutRateHigh',
    ]);
    // The faults above may have put a rate alert in 'pending'; its `for:` (minutes) keeps it there.
    for (const rule of rules) {
      expect(rule.health).toBe('ok');
      expect(['inactive', 'pending']).toContain(rule.state);
    }
  });
});
