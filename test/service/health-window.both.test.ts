import { Cached, ExecutionUtils, Retry, Timeout, TimeoutError } from '../../src';
import { ManualClock } from '../../src/testing';
import { HealthWindow } from '../../src/service/health-window';
import { newCounters } from '../../src/observability/stats';
import { rig } from '../helpers';

describe('HealthWindow', () => {
  it('reports the rates since the start until a minute has passed, then over the last minute', async () => {
    const clock = new ManualClock();
    const totals = newCounters();
    const window = new HealthWindow(clock, totals);
    expect(window.rates(totals, null)).toEqual({
      windowMs: 0,
      hitRate: null,
      timeoutRate: null,
      retryRate: null,
      memoryUsage: null,
    });
    Object.assign(totals, { hits: 9, misses: 1, executions: 10, timeouts: 1, retries: 2 });
    await clock.advance(30_000);
    expect(window.rates(totals, 0.5)).toEqual({
      windowMs: 30_000,
      hitRate: 0.9,
      timeoutRate: 0.1,
      retryRate: 0.2,
      memoryUsage: 0.5,
    });
    // A minute later, what came before the mark at 30 s is out of the window.
    Object.assign(totals, { hits: 11, misses: 3, executions: 20, timeouts: 1, retries: 2 });
    await clock.advance(60_000);
    expect(window.rates(totals, null)).toMatchObject({
      windowMs: 60_000,
      hitRate: 0.5,
      timeoutRate: 0,
      retryRate: 0,
    });
  });

  it('keeps at most one mark a second, however often it is asked', async () => {
    const clock = new ManualClock();
    const totals = newCounters();
    const window = new HealthWindow(clock, totals);
    for (let i = 0; i < 1_000; i++) {
      totals.hits++;
      await clock.advance(10);
      window.rates(totals, null);
    }
    expect((window as unknown as { marks: unknown[] }).marks.length).toBeLessThanOrEqual(11);
  });
});

describe('health().rates', () => {
  class Svc {
    @Cached({ ttl: 60_000 })
    async get(id: number): Promise<number> {
      return id;
    }

    @Timeout(50)
    @Retry({ attempts: 2 })
    async slow(): Promise<string> {
      return new Promise(() => {});
    }
  }

  it("reports the service's hit, timeout and retry rates and its memory usage", async () => {
    const { utils, clock } = rig({ cacheMaxBytes: 1_000_000 });
    const svc = new Svc();
    await svc.get(1);
    await svc.get(1);
    await svc.get(1);
    await svc.get(2);
    const slow = expect(svc.slow()).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(50);
    await clock.advance(50);
    await slow;
    const { rates } = await utils.health();
    expect(rates.hitRate).toBe(0.5);
    // 3 runs (2 misses, 1 slow call); 2 attempt timeouts; 1 retry.
    expect(rates.timeoutRate).toBeCloseTo(2 / 3);
    expect(rates.retryRate).toBeCloseTo(1 / 3);
    expect(rates.memoryUsage).toBeGreaterThan(0);
    expect(rates.memoryUsage).toBeLessThan(0.01);
    expect((await new ExecutionUtils().health()).rates.memoryUsage).toBeNull();
  });
});
