import { Cached, Retry, Timeout, runWithContext } from '../../src';
import { deferred, rig } from '../helpers';

class Tenanted {
  calls = 0;

  @Cached()
  async report(id: string): Promise<string> {
    this.calls++;
    return `report-${id}-${this.calls}`;
  }

  @Cached({ tenant: 'required' })
  async secret(id: string): Promise<string> {
    this.calls++;
    return `secret-${id}-${this.calls}`;
  }

  @Cached({ tenant: 'shared' })
  async settings(): Promise<number> {
    this.calls++;
    return this.calls;
  }
}

class Values {
  calls = 0;
  next: unknown;
  gate?: Promise<unknown>;

  @Cached()
  async value(_id: string): Promise<unknown> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.next instanceof Error) throw this.next;
    return this.next;
  }

  @Cached({ cacheIf: (r) => r !== 'do-not-cache' })
  async picky(_id: string): Promise<unknown> {
    this.calls++;
    return this.next;
  }

  @Cached({ ttl: 1_000 })
  async shortLived(_id: string): Promise<number> {
    this.calls++;
    return this.calls;
  }

  @Cached({ key: (args) => (args[0] as { id: string }).id })
  async byId(_request: { id: string; traceId: string }): Promise<number> {
    this.calls++;
    return this.calls;
  }

  @Cached()
  async takes(_arg: unknown): Promise<number> {
    this.calls++;
    return this.calls;
  }
}

const as = <T>(userId: string | undefined, taskId: string | undefined, fn: () => T): T =>
  runWithContext({ userId, taskId }, fn);

describe('tenants', () => {
  it('never serves one tenant the entry of another (optional mode)', async () => {
    rig();
    const svc = new Tenanted();
    const a = await as('alice', 't', () => svc.report('r'));
    const b = await as('bob', 't', () => svc.report('r'));
    expect(a).toBe('report-r-1');
    expect(b).toBe('report-r-2');
    expect(await as('alice', 't', () => svc.report('r'))).toBe('report-r-1');
  });

  it('keys by taskId as well as userId', async () => {
    rig();
    const svc = new Tenanted();
    await as('alice', 't1', () => svc.report('r'));
    await as('alice', 't2', () => svc.report('r'));
    expect(svc.calls).toBe(2);
  });

  it('does not confuse a userId containing separators with another tenant', async () => {
    rig();
    const svc = new Tenanted();
    await as('a|b', 'c', () => svc.report('r'));
    await as('a', 'b|c', () => svc.report('r'));
    expect(svc.calls).toBe(2);
  });

  it('runs a tenant-required method uncached without a userId, and counts it', async () => {
    const { utils } = rig();
    const svc = new Tenanted();
    await svc.secret('s');
    await svc.secret('s');
    expect(svc.calls).toBe(2);
    expect(utils.getStats()).toMatchObject({ uncached: 2, hits: 0, misses: 0 });
  });

  it('caches a tenant-required method per user when a userId is present', async () => {
    rig();
    const svc = new Tenanted();
    await as('alice', undefined, () => svc.secret('s'));
    await as('alice', undefined, () => svc.secret('s'));
    await as('bob', undefined, () => svc.secret('s'));
    expect(svc.calls).toBe(2);
  });

  it('shares one entry across tenants in shared mode', async () => {
    rig();
    const svc = new Tenanted();
    expect(await as('alice', 't1', () => svc.settings())).toBe(1);
    expect(await as('bob', 't2', () => svc.settings())).toBe(1);
    expect(await svc.settings()).toBe(1);
  });
});

describe('cached values', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['0', 0],
    ['an empty string', ''],
    ['false', false],
  ])('caches %s', async (_label, value) => {
    rig();
    const svc = new Values();
    svc.next = value;
    expect(await svc.value('k')).toBe(value);
    svc.next = 'changed';
    expect(await svc.value('k')).toBe(value);
    expect(svc.calls).toBe(1);
  });

  it('never caches a rejection', async () => {
    const { utils } = rig();
    const svc = new Values();
    svc.next = new Error('boom');
    await expect(svc.value('k')).rejects.toThrow('boom');
    svc.next = 'ok';
    expect(await svc.value('k')).toBe('ok');
    expect(svc.calls).toBe(2);
    expect(utils.getStats().sets).toBe(1);
  });

  it('lets cacheIf refuse a result, and counts the refusal', async () => {
    const { utils } = rig();
    const svc = new Values();
    svc.next = 'do-not-cache';
    await svc.picky('k');
    await svc.picky('k');
    svc.next = 'fine';
    await svc.picky('k');
    await svc.picky('k');
    expect(svc.calls).toBe(3);
    expect(utils.getStats()).toMatchObject({ refused: 2, sets: 1 });
  });

  it('expires an entry after the decorator ttl, which overrides cacheTtl', async () => {
    const { clock } = rig({ cacheTtl: 0 });
    const svc = new Values();
    expect(await svc.shortLived('k')).toBe(1);
    await clock.advance(999);
    expect(await svc.shortLived('k')).toBe(1);
    await clock.advance(2);
    expect(await svc.shortLived('k')).toBe(2);
  });

  it('lets an operation profile set the cache ttl', async () => {
    const { clock } = rig({ operations: { 'Values.shortLived': { cacheTtl: 10 } } });
    const svc = new Values();
    await svc.shortLived('k');
    await clock.advance(11);
    expect(await svc.shortLived('k')).toBe(2);
  });

  it('expires by cacheTtl when the decorator sets no ttl', async () => {
    const { clock } = rig({ cacheTtl: 500 });
    const svc = new Values();
    svc.next = 'v';
    await svc.value('k');
    await clock.advance(501);
    await svc.value('k');
    expect(svc.calls).toBe(2);
  });

  it('keys by what the key function returns, within the tenant', async () => {
    rig();
    const svc = new Values();
    await svc.byId({ id: 'a', traceId: '1' });
    expect(await svc.byId({ id: 'a', traceId: '2' })).toBe(1);
    expect(await as('other', undefined, () => svc.byId({ id: 'a', traceId: '3' }))).toBe(2);
  });

  it('runs a call whose arguments cannot be keyed uncached, and counts it', async () => {
    const { utils } = rig();
    const svc = new Values();
    const fn = (): void => {};
    expect(await svc.takes(fn)).toBe(1);
    expect(await svc.takes(fn)).toBe(2);
    expect(utils.getStats()).toMatchObject({ uncached: 2, hits: 0, misses: 0, sets: 0 });
  });

  it('runs a call with a circular argument uncached', async () => {
    rig();
    const svc = new Values();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    await svc.takes(loop);
    await svc.takes(loop);
    expect(svc.calls).toBe(2);
  });

  it('disables caching entirely with cacheSize 0', async () => {
    const { utils } = rig({ cacheSize: 0 });
    const svc = new Values();
    svc.next = 'v';
    await svc.value('k');
    await svc.value('k');
    expect(svc.calls).toBe(2);
    expect(utils.getStats()).toMatchObject({ hits: 0, misses: 0, sets: 0 });
  });

  it('keeps the cache bounded: entries past cacheSize are evicted', async () => {
    const { utils } = rig({ cacheSize: 3 });
    const svc = new Values();
    for (let i = 0; i < 10; i++) await svc.takes(i);
    expect(utils.getMemoryStats().cacheSize).toBe(3);
    expect(utils.getStats().evictions).toBe(7);
  });
});

describe('single-flight', () => {
  it('shares one execution among 1,000 concurrent calls with the same key', async () => {
    const { utils } = rig();
    const svc = new Values();
    const gate = deferred<void>();
    svc.gate = gate.promise;
    svc.next = 'shared';
    const calls = Array.from({ length: 1000 }, () => svc.value('k'));
    gate.resolve();
    const results = await Promise.all(calls);
    expect(svc.calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['shared']));
    expect(utils.getStats()).toMatchObject({ misses: 1000, coalesced: 999, hits: 0, sets: 1 });
  });

  it('does not join executions of different tenants', async () => {
    rig();
    const svc = new Values();
    const gate = deferred<void>();
    svc.gate = gate.promise;
    const a = as('alice', undefined, () => svc.value('k'));
    const b = as('bob', undefined, () => svc.value('k'));
    gate.resolve();
    await Promise.all([a, b]);
    expect(svc.calls).toBe(2);
  });

  it('delivers a rejection to every waiter and caches nothing', async () => {
    const { utils } = rig();
    const svc = new Values();
    const gate = deferred<void>();
    svc.gate = gate.promise;
    svc.next = new Error('shared failure');
    const calls = Array.from({ length: 50 }, () => svc.value('k'));
    gate.resolve();
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(svc.calls).toBe(1);
    svc.gate = undefined;
    svc.next = 'recovered';
    expect(await svc.value('k')).toBe('recovered');
    expect(utils.getStats().sets).toBe(1);
  });
});

describe('pipeline order', () => {
  class Ordered {
    calls = 0;

    @Retry({ attempts: 3, backoff: 0, minDelay: 0 })
    @Cached()
    @Timeout(50)
    async get(_id: string): Promise<number> {
      this.calls++;
      return this.calls;
    }
  }

  it('serves a hit without starting a timer or a retry', async () => {
    const { utils, clock } = rig();
    const spy = jest.spyOn(clock, 'setTimer');
    const svc = new Ordered();
    await svc.get('a');
    expect(spy).toHaveBeenCalledTimes(1);
    await svc.get('a');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(utils.getStats()).toMatchObject({ hits: 1, retries: 0 });
  });

  it('caches only the final result of a retried call, once', async () => {
    const { utils } = rig();
    let n = 0;
    const get = utils.wrap(
      async () => {
        n++;
        if (n < 3) throw new Error('transient');
        return n;
      },
      { name: 'flaky', cache: true, retry: { attempts: 3, backoff: 0, minDelay: 0 } },
    );
    expect(await get()).toBe(3);
    expect(await get()).toBe(3);
    expect(utils.getStats()).toMatchObject({ sets: 1, hits: 1, retries: 2 });
  });

  it('joins concurrent callers before retry, so a retried miss still runs once per attempt', async () => {
    const { utils } = rig();
    let n = 0;
    const get = utils.wrap(
      async () => {
        n++;
        if (n < 2) throw new Error('transient');
        return 'ok';
      },
      { name: 'joined', cache: true, retry: { attempts: 3, backoff: 0, minDelay: 0 } },
    );
    const results = await Promise.all([get(), get(), get()]);
    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(n).toBe(2);
  });
});
