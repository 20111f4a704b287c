import type { ExecutionEvents } from '../../src/observability/events';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';
import { configErrorOf } from '../helpers';

const core = (options: ConstructorParameters<typeof ServiceCore>[0] = {}): ServiceCore =>
  new ServiceCore({ clock: new ManualClock(), ...options });

describe('ServiceCore', () => {
  it('refuses invalid options at construction', () => {
    expect(configErrorOf(() => core({ cacheSize: -1 })).message).toContain('cacheSize');
  });

  it('builds an in-process tier of cacheSize entries, and no shared tier without redis', () => {
    const c = core({ cacheSize: 7 });
    expect(c.store?.max).toBe(7);
    expect(c.cache?.local).toBe(c.store);
    expect(c.cache?.remote).toBeUndefined();
  });

  it('sizes the in-process tier by l1.size when given', () => {
    expect(core({ cacheSize: 7, l1: { size: 3 } }).store?.max).toBe(3);
  });

  it('builds no cache at all with cacheSize 0', () => {
    const c = core({ cacheSize: 0 });
    expect(c.store).toBeUndefined();
    expect(c.cache).toBeUndefined();
  });

  it('reports an eviction by the size bound in the totals and as an event', () => {
    const c = core({ cacheSize: 1 });
    const evicted: ExecutionEvents['evict'][] = [];
    c.bus.on('evict', (e) => evicted.push(e));
    c.store?.set('a', 1);
    c.store?.set('b', 2);
    expect(c.stats.total.evictions).toBe(1);
    expect(evicted).toEqual([{ key: 'a' }]);
  });

  it("gives each operation a probe that counts in its own stats and the service's totals", () => {
    const c = core();
    c.probe('Repo.get').hit();
    expect(c.stats.snapshot('Repo.get').hits).toBe(1);
    expect(c.stats.total.hits).toBe(1);
  });

  it('waits for retries with the sleep option when given', async () => {
    const waits: number[] = [];
    const c = core({
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await c.retryRuntime.sleep(250);
    expect(waits).toEqual([250]);
  });

  it('waits for retries on its clock by default', async () => {
    const clock = new ManualClock();
    const c = new ServiceCore({ clock });
    let done = false;
    const wait = c.retryRuntime.sleep(100).then(() => (done = true));
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    await wait;
    expect(done).toBe(true);
  });

  it('draws jitter from the random option, and reads time from its clock', () => {
    const clock = new ManualClock(5_000);
    const c = new ServiceCore({ clock, random: () => 0.25 });
    expect(c.retryRuntime.random()).toBe(0.25);
    expect(c.retryRuntime.now()).toBe(5_000);
  });

  it("gives a breaker its profile's settings, one instance per name", () => {
    const c = core({ operations: { payments: { circuitBreaker: { consecutiveFailures: 1 } } } });
    const breaker = c.breaker('payments');
    expect(c.breaker('payments')).toBe(breaker);
    breaker.failure(breaker.acquire(), new Error('down'));
    expect(breaker.state).toBe('open');
  });

  it('reports a breaker state change as an event naming the breaker', () => {
    const c = core({ operations: { payments: { circuitBreaker: { consecutiveFailures: 1 } } } });
    const changes: ExecutionEvents['breakerStateChange'][] = [];
    c.bus.on('breakerStateChange', (e) => changes.push(e));
    const breaker = c.breaker('payments');
    breaker.failure(breaker.acquire(), new Error('down'));
    expect(changes).toEqual([{ breaker: 'payments', from: 'closed', to: 'open' }]);
  });

  describe('close', () => {
    it('empties the cache and marks the service closed', async () => {
      const c = core();
      c.store?.set('k', 1);
      await c.close();
      expect(c.closed).toBe(true);
      expect(c.store?.size).toBe(0);
    });

    it('makes the next call of a compiled method run without the cache', async () => {
      const c = core();
      let calls = 0;
      const spec = {
        original: async () => ++calls,
        operation: 'op',
        identity: {},
        explicitName: true,
        cache: {},
      };
      await c.pipelines.of(spec, spec)(undefined, []);
      await c.close();
      await c.pipelines.of(spec, spec)(undefined, []);
      await c.pipelines.of(spec, spec)(undefined, []);
      expect(calls).toBe(3);
    });

    it('is idempotent', async () => {
      const c = core();
      await c.close();
      await expect(c.close()).resolves.toBeUndefined();
    });
  });
});
