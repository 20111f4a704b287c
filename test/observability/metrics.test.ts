import { Registry, register as globalRegister } from 'prom-client';
import {
  Bulkhead,
  BulkheadRejectedError,
  Cached,
  CircuitBreaker,
  CircuitOpenError,
  ConfigError,
  ExecutionUtils,
  Retry,
  Timeout,
  runWithContext,
} from '../../src';
import { configErrorOf, deferred, rig } from '../helpers';

class Catalog {
  loads = 0;
  failures = 0;
  gate: Promise<string> | undefined;

  @Cached()
  async price(id: string): Promise<string> {
    this.loads++;
    if (this.gate) return this.gate;
    return `price-${id}`;
  }

  @Retry({ attempts: 3, backoff: 10, minDelay: 10, maxDelay: 10 })
  async flaky(): Promise<string> {
    if (this.failures-- > 0) throw new Error('transient');
    return 'ok';
  }

  @Timeout(50)
  async slow(): Promise<string> {
    return new Promise(() => {});
  }

  @Retry({ attempts: 5, maxElapsed: 70 })
  async deadline(): Promise<string> {
    return new Promise(() => {});
  }

  @CircuitBreaker({ consecutiveFailures: 1, halfOpenAfter: 100 })
  async fragile(fail: boolean): Promise<string> {
    if (fail) throw new Error('down');
    return 'up';
  }
}

class Extras {
  @Cached({ ttl: 100, staleWhileRevalidate: 1_000 })
  async rates(): Promise<number> {
    return 1;
  }

  @Cached({ tenant: 'required' })
  async profile(): Promise<string> {
    return 'profile';
  }

  @Cached()
  async item(id: string): Promise<string> {
    return id;
  }

  @Retry({ attempts: 3 })
  async failing(): Promise<string> {
    throw new Error('down');
  }

  @Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
  async limited(gate: Promise<void>): Promise<void> {
    await gate;
  }
}

type Labels = Record<string, string>;

/** Every sample of the registry, as the exposition names them (`_bucket`, `_sum`, `_count` too). */
async function samples(
  registry: Registry,
): Promise<{ name: string; labels: Labels; value: number }[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.flatMap((metric) =>
    metric.values.map((v) => ({
      name: (v as { metricName?: string }).metricName ?? metric.name,
      labels: Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)])),
      value: v.value,
    })),
  );
}

/** The value of the one sample named `name` with exactly `labels`; undefined when there is none. */
async function valueOf(
  registry: Registry,
  name: string,
  labels: Labels = {},
): Promise<number | undefined> {
  const same = (a: Labels): boolean =>
    Object.keys(a).length === Object.keys(labels).length &&
    Object.entries(labels).every(([k, v]) => a[k] === v);
  return (await samples(registry)).find((s) => s.name === name && same(s.labels))?.value;
}

const op = (operation_type: string): Labels => ({ operation_type });

describe('Prometheus metrics', () => {
  it('observes the size of every @CachedBatch method call in cache_batch_size', async () => {
    const registry = new Registry();
    const { utils } = rig({ metrics: { registry } });
    const load = utils.wrapBatch(async (ids: readonly number[]) => ids.map((id) => id * 2), {
      name: 'doubles',
      maxBatchSize: 3,
    });
    await load([1, 2, 3, 4]);
    await load([1, 5]);
    expect(await valueOf(registry, 'cache_batch_size_count', op('doubles'))).toBe(3);
    expect(await valueOf(registry, 'cache_batch_size_sum', op('doubles'))).toBe(5);
    expect(await valueOf(registry, 'cache_batch_size_bucket', { ...op('doubles'), le: '1' })).toBe(
      2,
    );
  });

  it('exports hits, misses, coalesced calls, retries, timeouts by scope, durations and cache size per operation', async () => {
    const registry = new Registry();
    const { clock } = rig({ metrics: { registry } });
    const catalog = new Catalog();

    await catalog.price('a'); // miss
    await catalog.price('a'); // hit
    await catalog.price('a'); // hit
    const gate = deferred<string>();
    catalog.gate = gate.promise;
    const first = catalog.price('b'); // miss
    const second = catalog.price('b'); // miss, coalesced
    gate.resolve('p');
    await Promise.all([first, second]);
    catalog.failures = 2;
    await catalog.flaky(); // 2 retries
    await catalog.flaky(); // none
    const slow = catalog.slow().catch((e: unknown) => e);
    await clock.advance(50); // one attempt timeout
    await slow;
    const deadline = catalog.deadline().catch((e: unknown) => e);
    await clock.advance(70); // one total timeout
    await deadline;

    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.price'))).toBe(2);
    expect(await valueOf(registry, 'cache_misses_total', op('Catalog.price'))).toBe(3);
    expect(await valueOf(registry, 'cache_coalesced_total', op('Catalog.price'))).toBe(1);
    expect(await valueOf(registry, 'retry_attempts_total', op('Catalog.flaky'))).toBe(2);
    expect(
      await valueOf(registry, 'timeout_errors_total', {
        operation_type: 'Catalog.slow',
        scope: 'attempt',
      }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'timeout_errors_total', {
        operation_type: 'Catalog.deadline',
        scope: 'total',
      }),
    ).toBe(1);
    expect(await valueOf(registry, 'cache_size')).toBe(2);
    // Two executions of price (a, and b shared by two callers), none for the hits.
    expect(await valueOf(registry, 'operation_duration_seconds_count', op('Catalog.price'))).toBe(
      2,
    );
    expect(await valueOf(registry, 'operation_duration_seconds_count', op('Catalog.flaky'))).toBe(
      2,
    );
    expect(
      await valueOf(registry, 'operation_duration_seconds_sum', op('Catalog.slow')),
    ).toBeCloseTo(0.05);
    expect(
      await valueOf(registry, 'operation_duration_seconds_bucket', {
        ...op('Catalog.slow'),
        le: '0.025',
      }),
    ).toBe(0);
    expect(
      await valueOf(registry, 'operation_duration_seconds_bucket', {
        ...op('Catalog.slow'),
        le: '0.05',
      }),
    ).toBe(1);
    // Operations that never looked the cache up have no cache series.
    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.flaky'))).toBeUndefined();
  });

  it('reports circuit state 0 closed, 2 open, 1 half-open as the breaker moves', async () => {
    const registry = new Registry();
    const { clock } = rig({ metrics: { registry } });
    const catalog = new Catalog();
    const state = (): Promise<number | undefined> =>
      valueOf(registry, 'circuit_state', { breaker: 'Catalog.fragile' });

    await catalog.fragile(false);
    expect(await state()).toBe(0);
    await expect(catalog.fragile(true)).rejects.toThrow('down');
    expect(await state()).toBe(2);
    // Open: the next call is refused without reaching the method (which would throw 'down').
    await expect(catalog.fragile(true)).rejects.toThrow(CircuitOpenError);
    expect(await valueOf(registry, 'circuit_rejections_total', op('Catalog.fragile'))).toBe(1);
    await clock.advance(100);
    expect(await state()).toBe(1);
    await catalog.fragile(false);
    expect(await state()).toBe(0);
  });

  it('counts stale entries served, uncached calls, evictions and retry budget refusals', async () => {
    const registry = new Registry();
    const { clock } = rig({
      cacheSize: 2,
      retryBudget: { ratio: 0, minPerSecond: 0 },
      metrics: { registry },
    });
    const extras = new Extras();

    await extras.rates();
    await clock.advance(150);
    await extras.rates(); // stale, served while revalidating
    await extras.profile(); // no tenant where one is required
    await extras.item('x');
    await extras.item('y'); // the cache holds 2: an entry goes
    await expect(extras.failing()).rejects.toThrow('down'); // the budget refuses the retry

    expect(await valueOf(registry, 'cache_stale_served_total', op('Extras.rates'))).toBe(1);
    expect(await valueOf(registry, 'cache_uncached_total', op('Extras.profile'))).toBe(1);
    expect(await valueOf(registry, 'cache_evictions_total')).toBe(1);
    expect(await valueOf(registry, 'retry_budget_exhausted_total', op('Extras.failing'))).toBe(1);
    expect(await valueOf(registry, 'retry_attempts_total', op('Extras.failing'))).toBeUndefined();
  });

  it('counts Redis tier errors by reason, and remote hits and misses per operation', async () => {
    const registry = new Registry();
    // Nothing listens on port 1: every Redis command fails at once, and calls run without it.
    const utils = new ExecutionUtils({
      redis: { url: 'redis://127.0.0.1:1', breaker: { failures: 1, halfOpenAfter: 60_000 } },
      metrics: { registry },
    });
    try {
      const get = utils.wrap(async (id: number) => id, { name: 'Remote.get', cache: true });
      await get(1);
      await get(2);
      // The first claim fails and opens the breaker; the second call's claim is refused by it
      // (and neither call tries to write what its claim could not reach).
      expect(await valueOf(registry, 'cache_remote_errors_total', { reason: 'error' })).toBe(1);
      expect(await valueOf(registry, 'cache_remote_errors_total', { reason: 'breaker-open' })).toBe(
        1,
      );
      expect(await valueOf(registry, 'cache_remote_misses_total', op('Remote.get'))).toBe(2);
      expect(await valueOf(registry, 'cache_remote_hits_total', op('Remote.get'))).toBeUndefined();
    } finally {
      await utils.close();
    }
  });

  it('reports the calls holding and waiting for a bulkhead slot, and those it refused', async () => {
    const registry = new Registry();
    rig({ metrics: { registry } });
    const extras = new Extras();
    const gate = deferred<void>();
    const calls = [extras.limited(gate.promise), extras.limited(gate.promise)];
    const bulkhead = { bulkhead: 'Extras.limited' };

    expect(await valueOf(registry, 'bulkhead_in_use', bulkhead)).toBe(1);
    expect(await valueOf(registry, 'bulkhead_queued', bulkhead)).toBe(1);
    expect(
      await valueOf(registry, 'bulkhead_rejections_total', op('Extras.limited')),
    ).toBeUndefined();
    // One slot, one place in the queue: a third caller is refused at once.
    await expect(extras.limited(gate.promise)).rejects.toThrow(BulkheadRejectedError);
    expect(await valueOf(registry, 'bulkhead_rejections_total', op('Extras.limited'))).toBe(1);
    gate.resolve();
    await Promise.all(calls);
    expect(await valueOf(registry, 'bulkhead_in_use', bulkhead)).toBe(0);
    expect(await valueOf(registry, 'bulkhead_queued', bulkhead)).toBe(0);
  });

  it('counts from registration on, and never counts a call twice across scrapes', async () => {
    const registry = new Registry();
    const { utils } = rig();
    const catalog = new Catalog();
    await catalog.price('a');
    await catalog.price('a');
    utils.registerMetrics(registry);
    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.price'))).toBe(0);
    await catalog.price('a');
    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.price'))).toBe(1);
    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.price'))).toBe(1);
    await catalog.price('a');
    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.price'))).toBe(2);
  });

  it('prefixes every name when asked', async () => {
    const registry = new Registry();
    rig({ metrics: { registry, prefix: 'shop_' } });
    await new Catalog().price('a');
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(10);
    expect(names.every((name) => name.startsWith('shop_'))).toBe(true);
    expect(await valueOf(registry, 'shop_cache_misses_total', op('Catalog.price'))).toBe(1);
  });

  it('registers on prom-client’s global registry by default', async () => {
    const { utils } = rig({ metrics: {} });
    try {
      await new Catalog().price('a');
      expect(await valueOf(globalRegister, 'cache_misses_total', op('Catalog.price'))).toBe(1);
    } finally {
      await utils.close();
      globalRegister.clear();
    }
  });
});

describe('Prometheus metrics shared by several services', () => {
  it('sums two services on one registry instead of throwing "already registered"', async () => {
    const registry = new Registry();
    const one = rig({ metrics: { registry } });
    const catalog = new Catalog();
    await catalog.price('a');
    await catalog.price('a');
    rig({ metrics: { registry } }); // the container now resolves the second service
    await catalog.price('a');
    catalog.failures = 1;
    await catalog.flaky();

    expect(await valueOf(registry, 'cache_hits_total', op('Catalog.price'))).toBe(1);
    expect(await valueOf(registry, 'cache_misses_total', op('Catalog.price'))).toBe(2);
    expect(await valueOf(registry, 'cache_size')).toBe(2);
    expect(await valueOf(registry, 'operation_duration_seconds_count', op('Catalog.flaky'))).toBe(
      1,
    );
    expect(one.utils.getStats('Catalog.price').misses).toBe(1);
  });

  it('ignores a second registration of the same service on the same registry', async () => {
    const registry = new Registry();
    const { utils } = rig({ metrics: { registry } });
    utils.registerMetrics(registry);
    const catalog = new Catalog();
    await catalog.price('a');
    catalog.failures = 1;
    await catalog.flaky();
    expect(await valueOf(registry, 'cache_misses_total', op('Catalog.price'))).toBe(1);
    expect(await valueOf(registry, 'operation_duration_seconds_count', op('Catalog.flaky'))).toBe(
      1,
    );
  });

  it('keeps what a closed service counted and stops reading it', async () => {
    const registry = new Registry();
    const { utils } = rig({ metrics: { registry } });
    const catalog = new Catalog();
    await catalog.price('a');
    await utils.close(); // no scrape in between: the miss is exported at close
    await catalog.price('a');
    expect(await valueOf(registry, 'cache_misses_total', op('Catalog.price'))).toBe(1);
    expect(await valueOf(registry, 'cache_size')).toBe(0);
  });

  it('registers the metrics again on a registry that was cleared', async () => {
    const registry = new Registry();
    const { utils } = rig({ metrics: { registry } });
    registry.clear();
    utils.registerMetrics(registry);
    await new Catalog().price('a');
    expect(await valueOf(registry, 'cache_misses_total', op('Catalog.price'))).toBe(1);
  });

  it('refuses, naming metrics, a registry where another metric holds a name', async () => {
    const registry = new Registry();
    const { Counter } = jest.requireActual<typeof import('prom-client')>('prom-client');
    new Counter({ name: 'cache_misses_total', help: 'not ours', registers: [registry] });
    const error = configErrorOf(() => new ExecutionUtils({ metrics: { registry } }));
    expect(error.option).toBe('metrics');
    expect(error.message).toMatch(/prefix/);
    // Nothing half-registered: only the foreign metric is there, and a prefix works.
    expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual(['cache_misses_total']);
    expect(() => new ExecutionUtils({ metrics: { registry, prefix: 'app_' } })).not.toThrow();
  });

  it('refuses two services that disagree on the operation cap of one registry', () => {
    const registry = new Registry();
    new ExecutionUtils({ metrics: { registry, maxOperations: 10 } });
    expect(() => new ExecutionUtils({ metrics: { registry } })).not.toThrow();
    expect(
      configErrorOf(() => new ExecutionUtils({ metrics: { registry, maxOperations: 20 } })).option,
    ).toBe('metrics.maxOperations');
  });
});

describe('Prometheus labels', () => {
  it('caps distinct operation_type values, then reports the rest as other', async () => {
    const registry = new Registry();
    const utils = new ExecutionUtils({ metrics: { registry, maxOperations: 2 } });
    for (const name of ['op1', 'op2', 'op3', 'op4']) {
      await utils.wrap(async () => name, { name, cache: { tenant: 'shared' } })();
    }
    const operations = (await samples(registry))
      .filter((s) => s.name === 'cache_misses_total')
      .map((s) => [s.labels.operation_type, s.value]);
    expect(operations).toEqual([
      ['op1', 1],
      ['op2', 1],
      ['other', 2],
    ]);
  });

  it('puts no user id, task id or argument in any label', async () => {
    const registry = new Registry();
    const { clock } = rig({ metrics: { registry } });
    const catalog = new Catalog();
    await runWithContext({ userId: 'tenant-secret', taskId: 'task-secret' }, async () => {
      await catalog.price('argument-secret');
      await catalog.price('argument-secret');
      catalog.failures = 1;
      await catalog.flaky();
      const slow = catalog.slow().catch((e: unknown) => e);
      await clock.advance(50);
      await slow;
    });
    const text = await registry.metrics();
    expect(text).toContain('operation_type="Catalog.price"');
    expect(text).not.toMatch(/secret/);
    const labelNames = new Set((await samples(registry)).flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(['le', 'operation_type', 'scope']);
  });
});

describe('metrics options', () => {
  it.each([
    [{ prefix: '1bad' }, 'metrics.prefix'],
    [{ prefix: 'has space' }, 'metrics.prefix'],
    [{ maxOperations: 0 }, 'metrics.maxOperations'],
    [{ registry: {} }, 'metrics.registry'],
  ])('refuses %p naming %s', (metrics, option) => {
    expect(configErrorOf(() => new ExecutionUtils({ metrics } as never)).option).toBe(option);
  });

  it('refuses bad registerMetrics options naming registerMetrics', () => {
    const utils = new ExecutionUtils();
    expect(configErrorOf(() => utils.registerMetrics(new Registry(), { prefix: '-' })).option).toBe(
      'registerMetrics.prefix',
    );
  });
});

describe('without prom-client installed', () => {
  afterEach(() => jest.dontMock('prom-client'));

  it('runs the in-memory default, and refuses metrics with a ConfigError saying to install prom-client', async () => {
    jest.doMock('prom-client', () => {
      throw new Error("Cannot find module 'prom-client'");
    });
    const utils = new ExecutionUtils();
    await expect(utils.wrap(async () => 1, { name: 'plain', cache: true })()).resolves.toBe(1);
    const error = configErrorOf(() => new ExecutionUtils({ metrics: {} }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.option).toBe('metrics');
    expect(error.message).toMatch(/npm install prom-client/);
    expect(configErrorOf(() => utils.registerMetrics(new Registry())).option).toBe('metrics');
  });
});
