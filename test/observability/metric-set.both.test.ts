import * as prom from 'prom-client';
import { ConfigError } from '../../src';
import { EventBus } from '../../src/observability/events';
import type { MetricsSource } from '../../src/observability/metrics';
import { MetricSet } from '../../src/observability/metric-set';
import { StatsBook } from '../../src/observability/stats';
import { PolicyRegistry } from '../../src/resilience/registry';
import { ManualClock } from '../../src/testing/manual-clock';

/** A service as the metrics see it: its stats, events and policies, a settable cache size and bytes. */
function source(
  size = 0,
  cacheMaxBytes?: number,
): MetricsSource & { size: number; bytes: number; policies: PolicyRegistry } {
  const s = {
    size,
    bytes: 0,
    cacheMaxBytes,
    stats: new StatsBook(),
    bus: new EventBus(),
    policies: new PolicyRegistry(new ManualClock(), undefined),
    cacheSize: () => s.size,
    cacheBytes: () => s.bytes,
  };
  return s;
}

function setup(maxOperations = 100) {
  const registry = new prom.Registry();
  const set = new MetricSet(prom, registry, 'eu_', maxOperations);
  /** The value of `name` for the labels given, as the registry would be scraped now. */
  const value = async (
    name: string,
    labels: Record<string, string> = {},
  ): Promise<number | undefined> => {
    const metric = registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    const { values } = await metric.get();
    const found = values.find((v) =>
      Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
    );
    return found?.value;
  };
  return { registry, set, value };
}

describe('MetricSet', () => {
  it('registers its metrics under the prefix', () => {
    const { registry } = setup();
    const names = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
    expect(names).toEqual(
      expect.arrayContaining([
        'eu_cache_hits_total',
        'eu_cache_misses_total',
        'eu_operation_duration_seconds',
        'eu_timeout_errors_total',
        'eu_cache_size',
        'eu_circuit_state',
      ]),
    );
  });

  it('refuses a registry that already holds one of its names, registering none of them', () => {
    const registry = new prom.Registry();
    new prom.Counter({ name: 'eu_cache_size', help: 'taken', registers: [registry] });
    expect(() => new MetricSet(prom, registry, 'eu_', 100)).toThrow(ConfigError);
    expect(registry.getSingleMetric('eu_cache_hits_total')).toBeUndefined();
  });

  it('exports per-operation counts read from the stats at scrape time', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.of('Repo.get').hits += 3;
    s.stats.of('Repo.get').misses += 1;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(3);
    expect(await value('eu_cache_misses_total', { operation_type: 'Repo.get' })).toBe(1);
  });

  it('adds only what changed between scrapes', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.of('Repo.get').hits += 2;
    await value('eu_cache_hits_total', { operation_type: 'Repo.get' });
    s.stats.of('Repo.get').hits += 1;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(3);
  });

  it('counts only what happened after the service was attached', async () => {
    const { set, value } = setup();
    const s = source();
    s.stats.of('Repo.get').hits = 10;
    set.attach(s);
    s.stats.of('Repo.get').hits += 1;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(1);
  });

  it('shows the hits of a looked-up operation at 0, so the hit rate has both sides', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.of('Repo.get').misses = 1;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(0);
  });

  it('sums the stale counters into one series', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.of('Repo.get').staleHits = 2;
    s.stats.of('Repo.get').staleIfError = 1;
    expect(await value('eu_cache_stale_served_total', { operation_type: 'Repo.get' })).toBe(3);
  });

  it('sums the services attached to it', async () => {
    const { set, value } = setup();
    const a = source(2);
    const b = source(5);
    set.attach(a);
    set.attach(b);
    a.stats.of('Repo.get').hits = 1;
    b.stats.of('Repo.get').hits = 2;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(3);
    expect(await value('eu_cache_size')).toBe(7);
  });

  it("exports the cache's bytes and its byte bound, summed; a bound of 0 when no service has one", async () => {
    const { set, value } = setup();
    const unbounded = source();
    set.attach(unbounded);
    unbounded.bytes = 300;
    expect(await value('eu_cache_memory_bytes')).toBe(300);
    expect(await value('eu_cache_max_bytes')).toBe(0);
    const bounded = source(0, 1_000);
    set.attach(bounded);
    bounded.bytes = 900;
    expect(await value('eu_cache_memory_bytes')).toBe(1_200);
    expect(await value('eu_cache_max_bytes')).toBe(1_000);
    set.detach(bounded);
    expect(await value('eu_cache_max_bytes')).toBe(0);
  });

  it('counts executions, the runs the timeout and retry rates divide by', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.of('Repo.get').executions = 4;
    expect(await value('eu_operation_executions_total', { operation_type: 'Repo.get' })).toBe(4);
  });

  it('ignores a service attached twice', async () => {
    const { set, value } = setup();
    const s = source(4);
    set.attach(s);
    set.attach(s);
    expect(await value('eu_cache_size')).toBe(4);
  });

  it('exports what a service counted before it is detached, then stops reading it', async () => {
    const { set, value } = setup();
    const s = source(4);
    set.attach(s);
    s.stats.of('Repo.get').hits = 2;
    set.detach(s);
    s.stats.of('Repo.get').hits = 9;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(2);
    expect(await value('eu_cache_size')).toBe(0);
  });

  it('exports evictions, from the service totals', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.total.evictions = 4;
    expect(await value('eu_cache_evictions_total')).toBe(4);
  });

  it('counts all of a counter that restarted below what was exported', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.of('Repo.get').hits = 5;
    await value('eu_cache_hits_total', { operation_type: 'Repo.get' });
    s.stats.of('Repo.get').hits = 2;
    expect(await value('eu_cache_hits_total', { operation_type: 'Repo.get' })).toBe(7);
  });

  it('observes executed durations in seconds, from the events', async () => {
    const { set, registry } = setup();
    const s = source();
    set.attach(s);
    s.bus.emit('executed', { operation: 'Repo.get', durationMs: 250, ok: true });
    const { values } = await registry.getSingleMetric('eu_operation_duration_seconds')!.get();
    const sum = values.find(
      (v) => (v as { metricName?: string }).metricName === 'eu_operation_duration_seconds_sum',
    );
    expect(sum?.value).toBe(0.25);
    expect(sum?.labels).toEqual({ operation_type: 'Repo.get' });
  });

  it('counts timeouts by scope, and remote errors by reason, from the events', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    s.bus.emit('timeout', { operation: 'Repo.get', scope: 'total', timeoutMs: 5 });
    s.bus.emit('remoteError', { command: 'get', reason: 'decode' });
    expect(
      await value('eu_timeout_errors_total', { operation_type: 'Repo.get', scope: 'total' }),
    ).toBe(1);
    expect(await value('eu_cache_remote_errors_total', { reason: 'decode' })).toBe(1);
  });

  it('stops listening to a detached service', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    set.detach(s);
    s.bus.emit('timeout', { operation: 'Repo.get', scope: 'attempt', timeoutMs: 5 });
    expect(await value('eu_timeout_errors_total', { scope: 'attempt' })).toBeUndefined();
  });

  it("reports each breaker's worst state across services", async () => {
    const { set, value } = setup();
    const a = source();
    const b = source();
    set.attach(a);
    set.attach(b);
    a.policies.breaker('payments', {});
    b.policies.breaker('payments', {}).isolate();
    expect(await value('eu_circuit_state', { breaker: 'payments' })).toBe(2);
  });

  it('reports bulkhead slots in use and waiting, summed across services', async () => {
    const { set, value } = setup();
    const s = source();
    set.attach(s);
    const bulkhead = s.policies.bulkhead('db', { maxConcurrent: 1, maxQueue: 1 });
    const release = bulkhead.acquire() as () => void;
    const queued = bulkhead.acquire() as Promise<() => void>;
    expect(await value('eu_bulkhead_in_use', { bulkhead: 'db' })).toBe(1);
    expect(await value('eu_bulkhead_queued', { bulkhead: 'db' })).toBe(1);
    release();
    (await queued)();
  });

  it("labels operations past maxOperations 'other'", async () => {
    const { set, value } = setup(1);
    const s = source();
    set.attach(s);
    s.stats.of('A.get').hits = 1;
    s.stats.of('B.get').hits = 2;
    expect(set.maxOperations).toBe(1);
    expect(await value('eu_cache_hits_total', { operation_type: 'A.get' })).toBe(1);
    expect(await value('eu_cache_hits_total', { operation_type: 'other' })).toBe(2);
  });

  it('registers its metrics again after the registry was cleared, keeping their values', async () => {
    const { set, registry, value } = setup();
    const s = source();
    set.attach(s);
    s.stats.total.evictions = 1;
    await value('eu_cache_evictions_total');
    registry.clear();
    set.ensureRegistered();
    expect(await value('eu_cache_evictions_total')).toBe(1);
  });
});
