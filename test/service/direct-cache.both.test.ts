import { buildCacheKey } from '../../src/cache/cache-key';
import { addToCache, getFromCache, warmUpCache } from '../../src/service/direct-cache';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';
import type { WarmUpOperation } from '../../src/cache/warm-up';
import { configErrorOf } from '../helpers';

function core(options: { cacheSize?: number; cacheTtl?: number } = {}) {
  const clock = new ManualClock();
  return { core: new ServiceCore({ clock, ...options }), clock };
}

const op = (
  userId: string,
  value: unknown,
  extra: Partial<WarmUpOperation> = {},
): WarmUpOperation => ({
  funcName: 'Reports.monthly',
  userId,
  taskId: 't',
  args: [2024],
  func: () => value,
  ...extra,
});

describe('getFromCache and addToCache', () => {
  it('reads back what was added, counted as a set and a hit', () => {
    const { core: c } = core();
    addToCache(c, 'k', { n: 1 });
    expect(getFromCache(c, 'k')).toEqual({ n: 1 });
    expect(c.stats.total).toMatchObject({ sets: 1, hits: 1, misses: 0 });
  });

  it('answers undefined for a missing key, counted as a miss', () => {
    const { core: c } = core();
    expect(getFromCache(c, 'absent')).toBeUndefined();
    expect(c.stats.total.misses).toBe(1);
  });

  it('expires an entry at its own ttl', async () => {
    const { core: c, clock } = core();
    addToCache(c, 'k', 1, 1_000);
    await clock.advance(999);
    expect(getFromCache(c, 'k')).toBe(1);
    await clock.advance(1);
    expect(getFromCache(c, 'k')).toBeUndefined();
  });

  it('expires an entry added without a ttl at cacheTtl', async () => {
    const { core: c, clock } = core({ cacheTtl: 500 });
    addToCache(c, 'k', 1);
    await clock.advance(500);
    expect(getFromCache(c, 'k')).toBeUndefined();
  });

  it('stores nothing and finds nothing when caching is off', () => {
    const { core: c } = core({ cacheSize: 0 });
    addToCache(c, 'k', 1);
    expect(getFromCache(c, 'k')).toBeUndefined();
    expect(c.stats.total.sets).toBe(0);
  });

  it('stores nothing and finds nothing once the service is closed', async () => {
    const { core: c } = core();
    addToCache(c, 'k', 1);
    await c.close();
    expect(getFromCache(c, 'k')).toBeUndefined();
    addToCache(c, 'k2', 2);
    expect(c.store?.size).toBe(0);
  });

  it('refuses a key that is not a string, and a ttl that is not a valid duration', () => {
    const { core: c } = core();
    expect(configErrorOf(() => getFromCache(c, 1 as unknown as string)).message).toContain('key');
    expect(configErrorOf(() => addToCache(c, 'k', 1, -5)).message).toContain('ttl');
  });
});

describe('warmUpCache', () => {
  it('loads each operation under the key a decorated call would use', async () => {
    const { core: c } = core();
    const result = await warmUpCache(c, [op('u1', 'report')], {});
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 0 });
    const key = buildCacheKey('Reports.monthly', 'u1', 't', [2024]);
    expect(getFromCache(c, key)).toBe('report');
  });

  it('skips what is cached already without running it', async () => {
    const { core: c } = core();
    await warmUpCache(c, [op('u1', 'first')], {});
    const func = jest.fn(() => 'second');
    const result = await warmUpCache(c, [op('u1', 'x', { func })], {});
    expect(result).toEqual({ warmed: 0, skipped: 1, failed: 0 });
    expect(func).not.toHaveBeenCalled();
  });

  it('skips everything, running nothing, when nothing can be cached', async () => {
    const { core: c } = core({ cacheSize: 0 });
    const func = jest.fn(() => 1);
    const result = await warmUpCache(c, [op('u1', 1, { func }), op('u2', 2, { func })], {});
    expect(result).toEqual({ warmed: 0, skipped: 2, failed: 0 });
    expect(func).not.toHaveBeenCalled();
  });

  it('refuses operations that are not an array, and a concurrency below 1', () => {
    const { core: c } = core();
    expect(() => warmUpCache(c, {} as unknown as WarmUpOperation[], {})).toThrow('ops');
    expect(configErrorOf(() => warmUpCache(c, [], { concurrency: 0 })).message).toContain(
      'concurrency',
    );
  });
});
