import {
  Cached,
  ConfigError,
  Fallback,
  RateLimit,
  RateLimitedError,
  Retry,
  runWithContext,
} from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, rig } from '../helpers';

class Geocoder {
  calls = 0;

  @RateLimit({ limit: 3, intervalMs: 1_000 })
  async lookup(address: string): Promise<string> {
    this.calls++;
    return `at ${address}`;
  }

  @RateLimit({ limit: 2, intervalMs: 1_000, scope: 'tenant' })
  async perTenant(address: string): Promise<string> {
    this.calls++;
    return address;
  }

  @RateLimit({ limit: 1, intervalMs: 1_000, wait: 500 })
  async patient(address: string): Promise<string> {
    this.calls++;
    return address;
  }

  @Retry({ attempts: 5 })
  @RateLimit({ limit: 1, intervalMs: 1_000, name: 'retried' })
  async retried(): Promise<string> {
    this.calls++;
    throw new Error('down');
  }

  @Cached({ ttl: 60_000 })
  @RateLimit({ limit: 1, intervalMs: 1_000 })
  async cached(address: string): Promise<string> {
    this.calls++;
    return address;
  }

  @Fallback('busy, try later')
  @RateLimit({ limit: 1, intervalMs: 1_000 })
  async withFallback(): Promise<string> {
    this.calls++;
    return 'fresh';
  }
}

const limitedAfter = async (call: Promise<unknown>): Promise<number> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return (error as RateLimitedError).retryAfterMs;
};

describe('@RateLimit', () => {
  it("records its options as the method's rate limit", () => {
    expect(policiesOf(Geocoder.prototype.lookup)?.rateLimit).toEqual({
      limit: 3,
      intervalMs: 1_000,
    });
  });

  it('admits `limit` calls per window, then refuses with retryAfterMs, counted', async () => {
    const { utils, clock } = rig();
    const geo = new Geocoder();
    const seen: unknown[] = [];
    utils.on('rateLimited', (event) => seen.push(event));
    await Promise.all([geo.lookup('a'), geo.lookup('b')]);
    await clock.advance(400);
    await geo.lookup('c');
    expect(await limitedAfter(geo.lookup('d'))).toBe(600);
    expect(geo.calls).toBe(3);
    expect(utils.getStats('Geocoder.lookup').rateLimited).toBe(1);
    expect(seen).toEqual([
      { operation: 'Geocoder.lookup', limiter: 'Geocoder.lookup', retryAfterMs: 600 },
    ]);
    await clock.advance(600);
    await expect(geo.lookup('e')).resolves.toBe('at e');
  });

  it("keeps one budget per tenant with scope 'tenant'", async () => {
    rig();
    const geo = new Geocoder();
    const as = (userId: string) => runWithContext({ userId }, () => geo.perTenant('x'));
    const flood = await Promise.allSettled(Array.from({ length: 20 }, () => as('A')));
    expect(flood.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    await expect(as('B')).resolves.toBe('x');
    await expect(as('B')).resolves.toBe('x');
    await limitedAfter(as('B'));
  });

  it('lets a call wait up to `wait` for its turn, and fails one whose turn comes later', async () => {
    const { clock } = rig();
    const geo = new Geocoder();
    await geo.patient('a');
    await clock.advance(600);
    const waiting = geo.patient('b');
    await clock.advance(399);
    expect(geo.calls).toBe(1);
    await clock.advance(1);
    await expect(waiting).resolves.toBe('b');
    // The next turn is 1,000 ms away: past the 500 ms it may wait.
    expect(await limitedAfter(geo.patient('c'))).toBe(1_000);
  });

  it("ends a wait with the caller's abort", async () => {
    const { clock } = rig();
    const geo = new Geocoder();
    await geo.patient('a');
    await clock.advance(600);
    const controller = new AbortController();
    const waiting = runWithContext({ signal: controller.signal }, () => geo.patient('b'));
    controller.abort(new Error('caller left'));
    await expect(waiting).rejects.toThrow('caller left');
    await clock.advance(1_000);
    expect(geo.calls).toBe(1);
  });

  it('counts calls, not attempts, and its refusal is never retried', async () => {
    const { waits } = rig();
    const geo = new Geocoder();
    // Written inside @Retry, the limit still sits outside it: one call, five attempts.
    await expect(geo.retried()).rejects.toThrow('down');
    expect(geo.calls).toBe(5);
    expect(waits).toHaveLength(4);
    await expect(geo.retried()).rejects.toBeInstanceOf(RateLimitedError);
    expect(geo.calls).toBe(5);
    expect(waits).toHaveLength(4);
  });

  it('is not retried by a @Retry of an outer call either', async () => {
    const { utils, waits } = rig();
    const geo = new Geocoder();
    await Promise.all([geo.lookup('a'), geo.lookup('b'), geo.lookup('c')]);
    const outer = utils.wrap(() => geo.lookup('d'), { name: 'outer', retry: { attempts: 3 } });
    await expect(outer()).rejects.toBeInstanceOf(RateLimitedError);
    expect(waits).toHaveLength(0);
  });

  it('spends nothing on a cache hit', async () => {
    rig();
    const geo = new Geocoder();
    await geo.cached('a');
    await geo.cached('a');
    await geo.cached('a');
    expect(geo.calls).toBe(1);
    await limitedAfter(geo.cached('b'));
  });

  it('is covered by a fallback', async () => {
    rig();
    const geo = new Geocoder();
    await geo.withFallback();
    await expect(geo.withFallback()).resolves.toBe('busy, try later');
  });

  it('takes its settings from the profile of its name, over the decorator', async () => {
    rig({ operations: { 'Geocoder.lookup': { rateLimit: { limit: 1 } } } });
    const geo = new Geocoder();
    await geo.lookup('a');
    await limitedAfter(geo.lookup('b'));
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => RateLimit({} as never)).option).toBe('@RateLimit.limit');
    expect(configErrorOf(() => RateLimit({ limit: 0 })).option).toBe('@RateLimit.limit');
    expect(configErrorOf(() => RateLimit({ limit: 5, burst: 6 })).option).toBe('@RateLimit.burst');
    expect(configErrorOf(() => RateLimit({ limit: 5, scope: 'user' as never })).option).toBe(
      '@RateLimit.scope',
    );
    expect(configErrorOf(() => RateLimit({ limit: 5, wait: -1 })).option).toBe('@RateLimit.wait');
  });

  it('is a wrap option too, and a shared limit needs the Redis tier', async () => {
    const { utils } = rig();
    const get = utils.wrap(async () => 'rates', { name: 'rates', rateLimit: { limit: 1 } });
    await get();
    await limitedAfter(get());
    const shared = utils.wrap(async () => 1, {
      name: 'shared',
      rateLimit: { limit: 1, shared: true },
    });
    await expect(shared()).rejects.toBeInstanceOf(ConfigError);
  });
});
