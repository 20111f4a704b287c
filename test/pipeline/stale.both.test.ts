import { Cached, Retry, runWithContext } from '../../src';
import { deferred, rig } from '../helpers';

class Prices {
  calls = 0;
  fail = false;
  gate: Promise<void> | undefined;

  @Cached({ ttl: 1_000, staleWhileRevalidate: 5_000 })
  async quote(symbol: string): Promise<string> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.fail) throw new Error('feed down');
    return `${symbol}@${this.calls}`;
  }

  @Cached({ ttl: 1_000, staleIfError: 10_000 })
  @Retry({ attempts: 3, backoff: 10, minDelay: 10 })
  async resilient(symbol: string): Promise<string> {
    this.calls++;
    if (this.fail) throw new Error('feed down');
    return `${symbol}@${this.calls}`;
  }

  @Cached({ ttl: (result) => (result === null ? 100 : 10_000) })
  async lookup(id: string): Promise<string | null> {
    this.calls++;
    return id === 'missing' ? null : id;
  }

  @Cached({ ttl: () => -1 })
  async badTtl(): Promise<number> {
    return 1;
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('stale-while-revalidate', () => {
  it('serves an expired entry at once and refreshes it in the background', async () => {
    const { clock, utils } = rig();
    const svc = new Prices();
    expect(await svc.quote('ACME')).toBe('ACME@1');
    await clock.advance(1_500);
    expect(await svc.quote('ACME')).toBe('ACME@1');
    await flush();
    expect(svc.calls).toBe(2);
    expect(await svc.quote('ACME')).toBe('ACME@2');
    expect(utils.getStats()).toMatchObject({ staleHits: 1, hits: 2, misses: 1 });
  });

  it('runs one refresh per key however many callers see the stale entry', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.quote('ACME');
    await clock.advance(1_500);
    const gate = deferred<void>();
    svc.gate = gate.promise;
    const served = await Promise.all([1, 2, 3, 4].map(() => svc.quote('ACME')));
    expect(served).toEqual(['ACME@1', 'ACME@1', 'ACME@1', 'ACME@1']);
    gate.resolve();
    await flush();
    expect(svc.calls).toBe(2);
  });

  it('keeps serving the stale entry when the refresh fails, with no unhandled rejection', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.quote('ACME');
    await clock.advance(1_500);
    svc.fail = true;
    expect(await svc.quote('ACME')).toBe('ACME@1');
    await flush();
    expect(await svc.quote('ACME')).toBe('ACME@1');
  });

  it('does not let the caller cancel the background refresh', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.quote('ACME');
    await clock.advance(1_500);
    const controller = new AbortController();
    await runWithContext({ signal: controller.signal }, () => svc.quote('ACME'));
    controller.abort();
    await flush();
    expect(await svc.quote('ACME')).toBe('ACME@2');
  });

  it('treats an entry past its stale window as a miss', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.quote('ACME');
    await clock.advance(1_000 + 5_000);
    expect(await svc.quote('ACME')).toBe('ACME@2');
  });

  it('does not show a stale entry to getFromCache', async () => {
    const { clock, utils } = rig();
    const svc = new Prices();
    await svc.quote('ACME');
    await clock.advance(1_500);
    expect(utils.getFromCache(utils.generateCacheKey('Prices.quote', '', '', ['ACME']))).toBe(
      undefined,
    );
  });
});

describe('stale-if-error', () => {
  it('serves the expired entry when the call fails after all its retries, and counts it', async () => {
    const { clock, utils, waits } = rig();
    const svc = new Prices();
    expect(await svc.resilient('ACME')).toBe('ACME@1');
    await clock.advance(2_000);
    svc.fail = true;
    expect(await svc.resilient('ACME')).toBe('ACME@1');
    expect(svc.calls).toBe(4);
    expect(waits).toEqual([10, 20]);
    expect(utils.getStats()).toMatchObject({ staleIfError: 1, retries: 2 });
  });

  it('returns a fresh result when the call succeeds', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.resilient('ACME');
    await clock.advance(2_000);
    expect(await svc.resilient('ACME')).toBe('ACME@2');
  });

  it('rethrows once the stale window has passed', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.resilient('ACME');
    await clock.advance(1_000 + 10_000);
    svc.fail = true;
    await expect(svc.resilient('ACME')).rejects.toThrow('feed down');
  });

  it("rethrows the caller's own abort instead of serving stale", async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.resilient('ACME');
    await clock.advance(2_000);
    svc.fail = true;
    const aborted = AbortSignal.abort(new Error('caller left'));
    await expect(runWithContext({ signal: aborted }, () => svc.resilient('ACME'))).rejects.toThrow(
      'caller left',
    );
  });
});

describe('ttl as a function of the result', () => {
  it('keeps "not found" briefly and found results long', async () => {
    const { clock } = rig();
    const svc = new Prices();
    await svc.lookup('missing');
    await svc.lookup('present');
    await clock.advance(101);
    await svc.lookup('missing');
    await svc.lookup('present');
    expect(svc.calls).toBe(3);
  });

  it('returns the result uncached, counted as refused, when the function returns a negative ttl', async () => {
    const { utils } = rig();
    const prices = new Prices();
    await expect(prices.badTtl()).resolves.toBe(1);
    await expect(prices.badTtl()).resolves.toBe(1);
    expect(utils.getStats()).toMatchObject({ sets: 0, refused: 2, hits: 0 });
  });
});

describe('stale-while-revalidate with a method that throws before returning its promise', () => {
  class Throwing {
    calls = 0;

    @Cached({ ttl: 1_000, staleWhileRevalidate: 5_000 })
    get(): Promise<string> {
      this.calls++;
      if (this.calls > 1) throw new Error('thrown synchronously');
      return Promise.resolve('first');
    }
  }

  it('still serves the stale entry when the refresh throws synchronously', async () => {
    const { clock } = rig();
    const svc = new Throwing();
    expect(await svc.get()).toBe('first');
    await clock.advance(1_500);
    expect(await svc.get()).toBe('first');
    expect(svc.calls).toBe(2);
  });
});
