import {
  BulkheadRejectedError,
  Cached,
  CircuitBreaker,
  CircuitOpenError,
  ConfigError,
  Fallback,
  Retry,
  runWithContext,
  TimeoutError,
  Timeout,
  Bulkhead,
  currentSignal,
} from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, deferred, rig } from '../helpers';

class Prices {
  calls = 0;
  fail = true;

  @Fallback('unknown')
  @Retry({ attempts: 3 })
  async price(sku: string): Promise<string> {
    this.calls++;
    if (this.fail) throw new Error(`no price for ${sku}`);
    return `price of ${sku}`;
  }

  @Fallback(function (this: Prices, error: unknown, args: unknown[]) {
    return `${String(args[0])} failed (${(error as Error).message}, after ${this.calls} calls)`;
  })
  async described(_sku: string): Promise<string> {
    this.calls++;
    throw new Error('down');
  }

  @Fallback('not found', { on: (error) => error instanceof RangeError })
  async picky(kind: 'range' | 'type'): Promise<string> {
    throw kind === 'range' ? new RangeError('range') : new TypeError('type');
  }

  @Fallback(async () => {
    throw new Error('the fallback failed too');
  })
  async failingFallback(): Promise<string> {
    throw new Error('down');
  }

  @Fallback(0)
  count(): number {
    throw new Error('sync failure');
  }
}

class Cachedprices {
  calls = 0;
  fail = false;

  @Fallback('fallback')
  @Cached({ ttl: 1_000, staleIfError: 10_000 })
  async get(sku: string): Promise<string> {
    this.calls++;
    if (this.fail) throw new Error('down');
    return `v${this.calls} of ${sku}`;
  }
}

describe('@Fallback', () => {
  it('records its value and options as the method fallback', () => {
    expect(policiesOf(Prices.prototype.price)?.fallback).toEqual({ to: 'unknown' });
    expect(policiesOf(Prices.prototype.picky)?.fallback?.on).toBeInstanceOf(Function);
  });

  it('returns its value once every retry has failed, and counts it', async () => {
    const { utils } = rig();
    const prices = new Prices();
    const seen: unknown[] = [];
    utils.on('fallback', (event) => seen.push(event));
    await expect(prices.price('a')).resolves.toBe('unknown');
    expect(prices.calls).toBe(3);
    expect(utils.getStats('Prices.price').fallbacks).toBe(1);
    expect(seen).toEqual([{ operation: 'Prices.price', error: new Error('no price for a') }]);
    prices.fail = false;
    await expect(prices.price('a')).resolves.toBe('price of a');
    expect(utils.getStats('Prices.price').fallbacks).toBe(1);
  });

  it("calls a function with the error, the call's arguments and its this", async () => {
    rig();
    const prices = new Prices();
    await expect(prices.described('b')).resolves.toBe('b failed (down, after 1 calls)');
  });

  it('covers only the errors `on` accepts', async () => {
    rig();
    const prices = new Prices();
    await expect(prices.picky('range')).resolves.toBe('not found');
    await expect(prices.picky('type')).rejects.toThrow(TypeError);
  });

  it('fails with the error of a fallback function that fails', async () => {
    rig();
    await expect(new Prices().failingFallback()).rejects.toThrow('the fallback failed too');
  });

  it('keeps a synchronous method synchronous', () => {
    rig();
    expect(new Prices().count()).toBe(0);
  });

  it("never covers the caller's own abort", async () => {
    rig();
    class Slow {
      // Fails with the caller's abort reason, as a method passing its signal on would.
      @Fallback('fallback')
      async get(): Promise<string> {
        const signal = currentSignal()!;
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
    }
    const slow = new Slow();
    const controller = new AbortController();
    const call = runWithContext({ signal: controller.signal }, () => slow.get());
    controller.abort(new Error('caller left'));
    await expect(call).rejects.toThrow('caller left');
  });

  it('is never cached, and comes after a stale entry', async () => {
    const { clock, utils } = rig();
    const prices = new Cachedprices();
    await expect(prices.get('a')).resolves.toBe('v1 of a');
    prices.fail = true;
    await clock.advance(1_000);
    // Expired, kept for staleIfError: the stale entry is served, not the fallback.
    await expect(prices.get('a')).resolves.toBe('v1 of a');
    expect(utils.getStats('Cachedprices.get')).toMatchObject({ staleIfError: 1, fallbacks: 0 });
    // No entry for b: the fallback, which is not cached.
    await expect(prices.get('b')).resolves.toBe('fallback');
    prices.fail = false;
    await expect(prices.get('b')).resolves.toBe('v4 of b');
  });

  it('covers a timeout, an open breaker and a full bulkhead', async () => {
    const { clock } = rig();
    const errors: unknown[] = [];
    class Guarded {
      gate = deferred<string>();

      @Fallback((error: unknown) => (errors.push(error), 'fallback'))
      @Timeout(100)
      async slow(): Promise<string> {
        return this.gate.promise;
      }

      @Fallback((error: unknown) => (errors.push(error), 'fallback'))
      @CircuitBreaker({ consecutiveFailures: 1 })
      async broken(): Promise<string> {
        throw new Error('down');
      }

      @Fallback((error: unknown) => (errors.push(error), 'fallback'))
      @Bulkhead({ maxConcurrent: 1 })
      async narrow(): Promise<string> {
        return this.gate.promise;
      }
    }
    const guarded = new Guarded();
    const slow = guarded.slow();
    await clock.advance(100);
    await expect(slow).resolves.toBe('fallback');
    await expect(guarded.broken()).resolves.toBe('fallback');
    await expect(guarded.broken()).resolves.toBe('fallback');
    const first = guarded.narrow();
    await expect(guarded.narrow()).resolves.toBe('fallback');
    guarded.gate.resolve('done');
    await expect(first).resolves.toBe('done');
    expect(errors.map((e) => (e as Error).constructor)).toEqual([
      TimeoutError,
      Error,
      CircuitOpenError,
      BulkheadRejectedError,
    ]);
  });

  it('lets an operation profile set the fallback, over the decorator', async () => {
    rig({ operations: { 'Prices.price': { fallback: { to: 'from the profile' } } } });
    await expect(new Prices().price('a')).resolves.toBe('from the profile');
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => Fallback('x', { on: 'all' as never })).option).toBe('@Fallback.on');
    expect(configErrorOf(() => Fallback('x', { other: 1 } as never)).option).toBe(
      '@Fallback.other',
    );
  });

  it('is a wrap option too', async () => {
    const { utils } = rig();
    const get = utils.wrap(
      async (): Promise<string> => {
        throw new Error('down');
      },
      { name: 'rates', fallback: { to: 'cached rates' } },
    );
    await expect(get()).resolves.toBe('cached rates');
    expect(() => utils.wrap(async () => 1, { name: 'x', fallback: {} as never })).toThrow(
      ConfigError,
    );
  });
});
