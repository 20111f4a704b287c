import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ExecutionUtils, TimeoutError, runWithContext, type WarmUpOperation } from '../src';
import { Catalog } from './fixtures/services';
import { configErrorOf, deferred, rig } from './helpers';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

const TEN_YEARS_MS = 10 * 365 * 24 * 3_600_000;

/** A warm-up operation with sensible defaults. */
function op(overrides: Partial<WarmUpOperation> = {}): WarmUpOperation {
  return {
    funcName: 'Reports.monthly',
    userId: 'u1',
    taskId: 't1',
    args: [2024],
    func: (year: number) => `report-${year}`,
    ...overrides,
  };
}

describe('ExecutionUtils.getFromCache / addToCache', () => {
  it('returns undefined for a key never added', () => {
    const { utils } = rig();
    expect(utils.getFromCache('absent')).toBeUndefined();
  });

  it('returns the value added under a key', () => {
    const { utils } = rig();
    const value = { a: 1 };
    utils.addToCache('k', value);
    expect(utils.getFromCache('k')).toBe(value);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['0', 0],
    ['empty string', ''],
    ['false', false],
  ])('returns a stored %s as itself and counts it as a hit', (_, value) => {
    const { utils } = rig();
    utils.addToCache('k', value);
    expect(utils.getFromCache('k')).toBe(value);
    expect(utils.getStats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('returns undefined for a stored undefined, yet counts the lookup as a HIT (not a miss)', () => {
    const { utils } = rig();
    utils.addToCache('k', undefined);
    expect(utils.getFromCache('k')).toBeUndefined();
    expect(utils.getStats()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('counts a lookup of a missing key as exactly one miss', () => {
    const { utils } = rig();
    utils.getFromCache('absent');
    expect(utils.getStats()).toMatchObject({ hits: 0, misses: 1 });
  });

  it('counts exactly one hit or one miss per lookup', () => {
    const { utils } = rig();
    utils.addToCache('k', 1);
    utils.getFromCache('k');
    utils.getFromCache('k');
    utils.getFromCache('absent');
    utils.getFromCache('k');
    expect(utils.getStats()).toMatchObject({ hits: 3, misses: 1 });
  });

  it('reports hitRate as hits / (hits + misses)', () => {
    const { utils } = rig();
    utils.addToCache('k', 1);
    utils.getFromCache('k');
    utils.getFromCache('k');
    utils.getFromCache('k');
    utils.getFromCache('absent');
    expect(utils.getStats().hitRate).toBe(0.75);
  });

  it('reports hitRate 0 before any lookup', () => {
    const { utils } = rig();
    utils.addToCache('k', 1);
    expect(utils.getStats().hitRate).toBe(0);
  });

  it('counts each addToCache as one set', () => {
    const { utils } = rig();
    utils.addToCache('a', 1);
    utils.addToCache('b', 2);
    utils.addToCache('a', 3);
    expect(utils.getStats().sets).toBe(3);
  });

  it('replaces the value of a key added twice', () => {
    const { utils } = rig();
    utils.addToCache('k', 'old');
    utils.addToCache('k', 'new');
    expect(utils.getFromCache('k')).toBe('new');
    expect(utils.getMemoryStats().cacheSize).toBe(1);
  });

  it('keeps an entry until 1 ms before its ttl and drops it at exactly ttl (as cachetools)', async () => {
    const { utils, clock } = rig();
    utils.addToCache('k', 'v', 1000);
    await clock.advance(999);
    expect(utils.getFromCache('k')).toBe('v');
    await clock.advance(1);
    expect(utils.getFromCache('k')).toBeUndefined();
  });

  it('applies the cacheTtl option when addToCache is given no ttl', async () => {
    const { utils, clock } = rig({ cacheTtl: 5000 });
    utils.addToCache('k', 'v');
    await clock.advance(4999);
    expect(utils.getFromCache('k')).toBe('v');
    await clock.advance(1);
    expect(utils.getFromCache('k')).toBeUndefined();
  });

  it('applies the default cacheTtl of one hour when neither ttl nor cacheTtl is given', async () => {
    const { utils, clock } = rig();
    utils.addToCache('k', 'v');
    await clock.advance(3_599_999);
    expect(utils.getFromCache('k')).toBe('v');
    await clock.advance(1);
    expect(utils.getFromCache('k')).toBeUndefined();
  });

  it('never expires an entry added with ttl 0', async () => {
    const { utils, clock } = rig();
    utils.addToCache('k', 'v', 0);
    await clock.advance(TEN_YEARS_MS);
    expect(utils.getFromCache('k')).toBe('v');
  });

  it('never expires an entry added without ttl when cacheTtl is 0', async () => {
    const { utils, clock } = rig({ cacheTtl: 0 });
    utils.addToCache('k', 'v');
    await clock.advance(TEN_YEARS_MS);
    expect(utils.getFromCache('k')).toBe('v');
  });

  it('rejects a negative ttl with ConfigError naming ttl, and stores nothing', () => {
    const { utils } = rig();
    const error = configErrorOf(() => utils.addToCache('k', 'v', -1));
    expect(error.option).toBe('ttl');
    expect(error.message).toContain('-1');
    expect(utils.getMemoryStats().cacheSize).toBe(0);
    expect(utils.getStats().sets).toBe(0);
  });

  it('rejects a NaN ttl with ConfigError naming ttl', () => {
    const { utils } = rig();
    expect(configErrorOf(() => utils.addToCache('k', 'v', NaN)).option).toBe('ttl');
  });

  it('evicts the least recently used entry beyond cacheSize and counts one eviction', () => {
    const { utils } = rig({ cacheSize: 2 });
    utils.addToCache('a', 1);
    utils.addToCache('b', 2);
    utils.addToCache('c', 3);
    expect(utils.getFromCache('a')).toBeUndefined();
    expect(utils.getFromCache('b')).toBe(2);
    expect(utils.getFromCache('c')).toBe(3);
    expect(utils.getStats().evictions).toBe(1);
  });

  it('lets a getFromCache refresh recency: the entry read survives the next eviction', () => {
    const { utils } = rig({ cacheSize: 2 });
    utils.addToCache('a', 1);
    utils.addToCache('b', 2);
    utils.getFromCache('a');
    utils.addToCache('c', 3);
    expect(utils.getFromCache('a')).toBe(1);
    expect(utils.getFromCache('b')).toBeUndefined();
  });

  it('does not count overwriting a key as an eviction', () => {
    const { utils } = rig({ cacheSize: 2 });
    utils.addToCache('a', 1);
    utils.addToCache('a', 2);
    expect(utils.getStats().evictions).toBe(0);
  });
});

describe('ExecutionUtils with cacheSize 0 (caching disabled)', () => {
  it('ignores addToCache: nothing is stored and no set is counted', () => {
    const { utils } = rig({ cacheSize: 0 });
    utils.addToCache('k', 'v');
    expect(utils.getMemoryStats().cacheSize).toBe(0);
    expect(utils.getStats().sets).toBe(0);
  });

  it('misses every getFromCache, counting each as a miss', () => {
    const { utils } = rig({ cacheSize: 0 });
    utils.addToCache('k', 'v');
    expect(utils.getFromCache('k')).toBeUndefined();
    expect(utils.getFromCache('k')).toBeUndefined();
    expect(utils.getStats()).toMatchObject({ hits: 0, misses: 2 });
  });

  it('runs a wrapped cached function on every call', async () => {
    const { utils } = rig({ cacheSize: 0 });
    let calls = 0;
    const fn = utils.wrap(async (x: number) => x + ++calls, { name: 'noCache', cache: true });
    expect(await fn(1)).toBe(2);
    expect(await fn(1)).toBe(3);
    expect(calls).toBe(2);
  });

  it('runs a decorated @Cached method on every call', async () => {
    rig({ cacheSize: 0 });
    const catalog = new Catalog();
    await catalog.find('a');
    await catalog.find('a');
    expect(catalog.calls).toBe(2);
  });

  it('reports empty memory stats with maxCacheSize 0', () => {
    const { utils } = rig({ cacheSize: 0 });
    utils.addToCache('k', 'v');
    expect(utils.getMemoryStats()).toEqual({
      cacheSize: 0,
      maxCacheSize: 0,
      cacheMemoryBytes: 0,
      reservedBytes: 0,
      ttlEntries: 0,
      admissionBytes: 0,
    });
  });
});

describe('ExecutionUtils.getMemoryStats', () => {
  it('reports an empty cache and the configured bound before anything is added', () => {
    const { utils } = rig({ cacheSize: 50 });
    expect(utils.getMemoryStats()).toEqual({
      cacheSize: 0,
      maxCacheSize: 50,
      cacheMemoryBytes: 0,
      reservedBytes: 50 * 32,
      ttlEntries: 0,
      admissionBytes: 0,
    });
  });

  it('reports what lru-cache reserves up front for a large, empty cache', () => {
    const { utils } = rig({ cacheSize: 1_000_000 });
    expect(utils.getMemoryStats().reservedBytes).toBeGreaterThanOrEqual(30_000_000);
  });

  it('counts entries in cacheSize and reports the default maxCacheSize of 100', () => {
    const { utils } = rig();
    utils.addToCache('a', 1);
    utils.addToCache('b', 2);
    expect(utils.getMemoryStats()).toMatchObject({ cacheSize: 2, maxCacheSize: 100 });
  });

  it('reports cacheMemoryBytes above 0 once an entry is held', () => {
    const { utils } = rig();
    utils.addToCache('k', 'v');
    expect(utils.getMemoryStats().cacheMemoryBytes).toBeGreaterThan(0);
  });

  it('reports more cacheMemoryBytes for a larger value under the same key', () => {
    const { utils } = rig();
    utils.addToCache('k', 'x');
    const small = utils.getMemoryStats().cacheMemoryBytes;
    utils.addToCache('k', 'x'.repeat(1000));
    const large = utils.getMemoryStats().cacheMemoryBytes;
    expect(large).toBeGreaterThan(small);
  });

  it('counts in ttlEntries only the entries whose ttl is not 0', () => {
    const { utils } = rig();
    utils.addToCache('default', 1);
    utils.addToCache('explicit', 2, 500);
    utils.addToCache('forever', 3, 0);
    expect(utils.getMemoryStats()).toMatchObject({ cacheSize: 3, ttlEntries: 2 });
  });
});

describe('ExecutionUtils.clearCache', () => {
  it('drops every entry', () => {
    const { utils } = rig();
    utils.addToCache('a', 1);
    utils.addToCache('b', 2);
    void utils.clearCache();
    expect(utils.getFromCache('a')).toBeUndefined();
    expect(utils.getFromCache('b')).toBeUndefined();
    expect(utils.getMemoryStats().cacheSize).toBe(0);
  });

  it('keeps the service caching after a clear', () => {
    const { utils } = rig();
    void utils.clearCache();
    utils.addToCache('k', 'v');
    expect(utils.getFromCache('k')).toBe('v');
  });

  it('does not let a load in flight during clearCache write its result back', async () => {
    const { utils } = rig();
    const load = deferred<string>();
    let calls = 0;
    const fn = utils.wrap(
      (_id: string) => {
        calls++;
        return load.promise;
      },
      { name: 'inflight', cache: true },
    );
    const pending = fn('a');
    void utils.clearCache();
    load.resolve('stale');
    expect(await pending).toBe('stale');
    expect(utils.getMemoryStats().cacheSize).toBe(0);
    expect(utils.getStats().sets).toBe(0);
    void fn('a');
    expect(calls).toBe(2);
  });

  it('does not let a call after clearCache join a load started before it', async () => {
    const { utils } = rig();
    const loads = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const fn = utils.wrap((_id: string) => loads[calls++].promise, {
      name: 'rejoin',
      cache: true,
    });
    const before = fn('a');
    void utils.clearCache();
    const after = fn('a');
    expect(calls).toBe(2);
    loads[0].resolve('old');
    loads[1].resolve('new');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
    expect(await fn('a')).toBe('new');
    expect(calls).toBe(2);
  });

  // Beyond the brief: the pre-clear load's settlement must not unregister the post-clear one.
  it('still coalesces with a load started after clearCache once the pre-clear load settles', async () => {
    const { utils } = rig();
    const loads = [deferred<string>(), deferred<string>(), deferred<string>()];
    let calls = 0;
    const fn = utils.wrap((_id: string) => loads[calls++].promise, {
      name: 'rejoin2',
      cache: true,
    });
    const before = fn('a');
    void utils.clearCache();
    const after = fn('a');
    loads[0].resolve('old');
    await before;
    const joined = fn('a');
    expect(calls).toBe(2);
    loads[1].resolve('new');
    loads[2].resolve('duplicate');
    expect(await after).toBe('new');
    expect(await joined).toBe('new');
  });
});

describe('ExecutionUtils.health and close', () => {
  it('reports healthy before close, with the package.json version, the entry count and a timestamp', async () => {
    const { utils } = rig();
    utils.addToCache('a', 1);
    utils.addToCache('b', 2);
    const before = Date.now();
    const report = await utils.health();
    const after = Date.now();
    expect(report).toEqual({
      status: 'healthy',
      timestamp: expect.any(Number) as number,
      cacheSize: 2,
      version: PACKAGE_VERSION,
      rates: { windowMs: 0, hitRate: null, timeoutRate: null, retryRate: null, memoryUsage: null },
      tiers: { memory: { status: 'up', size: 2 } },
    });
    expect(report.timestamp).toBeGreaterThanOrEqual(before);
    expect(report.timestamp).toBeLessThanOrEqual(after);
  });

  it('reports unhealthy with an error string after close', async () => {
    const { utils } = rig();
    await utils.close();
    const report = await utils.health();
    expect(report.status).toBe('unhealthy');
    expect(report.error).toBe('ExecutionUtils is closed');
    expect(report.version).toBe(PACKAGE_VERSION);
  });

  it('empties the cache on close', async () => {
    const { utils } = rig();
    utils.addToCache('k', 'v');
    await utils.close();
    expect(utils.getFromCache('k')).toBeUndefined();
    expect((await utils.health()).cacheSize).toBe(0);
  });

  it('ignores addToCache after close', async () => {
    const { utils } = rig();
    await utils.close();
    utils.addToCache('k', 'v');
    expect(utils.getFromCache('k')).toBeUndefined();
    expect(utils.getMemoryStats().cacheSize).toBe(0);
    expect(utils.getStats().sets).toBe(0);
  });

  it('still runs a function wrapped before close, but no longer caches it', async () => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(async (x: number) => `${x}-${++calls}`, { name: 'closing', cache: true });
    expect(await fn(1)).toBe('1-1');
    expect(await fn(1)).toBe('1-1');
    await utils.close();
    expect(await fn(1)).toBe('1-2');
    expect(await fn(1)).toBe('1-3');
    expect(utils.getMemoryStats().cacheSize).toBe(0);
  });

  it('still runs a function wrapped after close, uncached', async () => {
    const { utils } = rig();
    await utils.close();
    let calls = 0;
    const fn = utils.wrap(async () => ++calls, { name: 'late', cache: true });
    expect(await fn()).toBe(1);
    expect(await fn()).toBe(2);
  });

  it('still runs a decorated @Cached method after close, uncached', async () => {
    const { utils } = rig();
    const catalog = new Catalog();
    await catalog.find('a');
    await utils.close();
    await catalog.find('a');
    await catalog.find('a');
    expect(catalog.calls).toBe(3);
  });

  it('still retries a wrapped function after close', async () => {
    const { utils } = rig();
    await utils.close();
    let calls = 0;
    const fn = utils.wrap(
      async () => {
        if (++calls < 2) throw new Error('flaky');
        return 'ok';
      },
      { name: 'closedRetry', cache: true, retry: {} },
    );
    expect(await fn()).toBe('ok');
    expect(calls).toBe(2);
  });

  it('can be closed twice: the second close resolves and the service stays unhealthy', async () => {
    const { utils } = rig();
    await utils.close();
    await expect(utils.close()).resolves.toBeUndefined();
    expect((await utils.health()).status).toBe('unhealthy');
  });
});

describe('ExecutionUtils.warmUpCache', () => {
  it('stores each result under the generateCacheKey key, so a later lookup hits', async () => {
    const { utils } = rig();
    const result = await utils.warmUpCache([op()]);
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 0 });
    const key = utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024]);
    expect(utils.getFromCache(key)).toBe('report-2024');
  });

  it('includes kwargs in the key like generateCacheKey does', async () => {
    const { utils } = rig();
    await utils.warmUpCache([op({ kwargs: { region: 'eu' } })]);
    const withKwargs = utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024], {
      region: 'eu',
    });
    expect(utils.getFromCache(withKwargs)).toBe('report-2024');
    expect(
      utils.getFromCache(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024])),
    ).toBeUndefined();
  });

  it('calls func with the args spread', async () => {
    const { utils } = rig();
    const func = jest.fn((a: number, b: string) => `${a}${b}`);
    await utils.warmUpCache([op({ args: [1, 'x'], func })]);
    expect(func).toHaveBeenCalledTimes(1);
    expect(func).toHaveBeenCalledWith(1, 'x');
  });

  it('warms an entry a decorated method then hits without running', async () => {
    const { utils } = rig();
    await utils.warmUpCache([
      op({ funcName: 'Catalog.find', args: ['a'], func: () => ({ id: 'a', n: 42 }) }),
    ]);
    const catalog = new Catalog();
    const found = await runWithContext({ userId: 'u1', taskId: 't1' }, () => catalog.find('a'));
    expect(found).toEqual({ id: 'a', n: 42 });
    expect(catalog.calls).toBe(0);
  });

  it('skips an already cached key without calling func', async () => {
    const { utils } = rig();
    utils.addToCache(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024]), 'cached');
    const func = jest.fn(() => 'fresh');
    const result = await utils.warmUpCache([op({ func })]);
    expect(result).toEqual({ warmed: 0, skipped: 1, failed: 0 });
    expect(func).not.toHaveBeenCalled();
    expect(utils.getFromCache(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024]))).toBe(
      'cached',
    );
  });

  it('reloads a key whose entry has expired instead of skipping it', async () => {
    const { utils, clock } = rig();
    utils.addToCache(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024]), 'old', 10);
    await clock.advance(11);
    const result = await utils.warmUpCache([op()]);
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 0 });
  });

  it('counts a rejecting op as failed without rejecting, and still warms the others', async () => {
    const { utils } = rig();
    const result = await utils.warmUpCache([
      op({ args: [1], func: () => Promise.reject(new Error('down')) }),
      op({ args: [2] }),
    ]);
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 1 });
    expect(
      utils.getFromCache(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [1])),
    ).toBeUndefined();
  });

  it('counts an op whose func throws synchronously as failed', async () => {
    const { utils } = rig();
    const result = await utils.warmUpCache([
      op({
        func: () => {
          throw new Error('sync');
        },
      }),
    ]);
    expect(result).toEqual({ warmed: 0, skipped: 0, failed: 1 });
  });

  it('counts an op whose args cannot be keyed (a function argument) as failed, without calling func', async () => {
    const { utils } = rig();
    const func = jest.fn(() => 'never');
    const result = await utils.warmUpCache([op({ args: [() => 1], func })]);
    expect(result).toEqual({ warmed: 0, skipped: 0, failed: 1 });
    expect(func).not.toHaveBeenCalled();
  });

  it('keys omitted kwargs and {} alike: the second op is skipped (concurrency 1)', async () => {
    const { utils } = rig();
    const second = jest.fn(() => 'second');
    const result = await utils.warmUpCache([op(), op({ kwargs: {}, func: second })], {
      concurrency: 1,
    });
    expect(result).toEqual({ warmed: 1, skipped: 1, failed: 0 });
    expect(second).not.toHaveBeenCalled();
  });

  it('keys omitted kwargs and {} alike: the second op is skipped (default concurrency)', async () => {
    const { utils } = rig();
    const second = jest.fn(() => 'second');
    const result = await utils.warmUpCache([op(), op({ kwargs: {}, func: second })]);
    expect(result).toEqual({ warmed: 1, skipped: 1, failed: 0 });
    expect(second).not.toHaveBeenCalled();
  });

  it('never runs more than `concurrency` funcs at once, and does reach that many', async () => {
    const { utils } = rig();
    const loads = Array.from({ length: 5 }, () => deferred<number>());
    let running = 0;
    let maxRunning = 0;
    const ops = loads.map((load, i) =>
      op({
        args: [i],
        func: async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          try {
            return await load.promise;
          } finally {
            running--;
          }
        },
      }),
    );
    const warming = utils.warmUpCache(ops, { concurrency: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    for (const load of loads) {
      load.resolve(1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await warming).toEqual({ warmed: 5, skipped: 0, failed: 0 });
    expect(maxRunning).toBe(2);
  });

  it('runs at most 10 funcs at once by default', async () => {
    const { utils } = rig();
    const gate = deferred<void>();
    let running = 0;
    let maxRunning = 0;
    const ops = Array.from({ length: 12 }, (_, i) =>
      op({
        args: [i],
        func: async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await gate.promise;
          running--;
          return i;
        },
      }),
    );
    const warming = utils.warmUpCache(ops);
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(10);
    gate.resolve();
    expect(await warming).toEqual({ warmed: 12, skipped: 0, failed: 0 });
    expect(maxRunning).toBe(10);
  });

  it('rejects concurrency 0 with ConfigError naming concurrency', () => {
    const { utils } = rig();
    expect(configErrorOf(() => void utils.warmUpCache([op()], { concurrency: 0 })).option).toBe(
      'concurrency',
    );
  });

  it('calls onProgress(done, total) once per op, with done rising to total whatever the outcome', async () => {
    const { utils } = rig();
    utils.addToCache(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [3]), 'cached');
    const progress: Array<[number, number]> = [];
    await utils.warmUpCache(
      [
        op({ args: [1] }),
        op({ args: [2], func: () => Promise.reject(new Error('x')) }),
        op({ args: [3] }),
      ],
      { concurrency: 1, onProgress: (done, total) => progress.push([done, total]) },
    );
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('applies a per-op ttl to the entry it warms', async () => {
    const { utils, clock } = rig();
    await utils.warmUpCache([op({ args: [1], ttl: 500 }), op({ args: [2] })]);
    await clock.advance(499);
    const key1 = utils.generateCacheKey('Reports.monthly', 'u1', 't1', [1]);
    const key2 = utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2]);
    expect(utils.getFromCache(key1)).toBe('report-1');
    await clock.advance(1);
    expect(utils.getFromCache(key1)).toBeUndefined();
    expect(utils.getFromCache(key2)).toBe('report-2');
  });

  it('resolves to all zeros for no ops', async () => {
    const { utils } = rig();
    expect(await utils.warmUpCache([])).toEqual({ warmed: 0, skipped: 0, failed: 0 });
  });
});

describe('ExecutionUtils.wrap', () => {
  it('caches per arguments with cache: true', async () => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(async (x: number) => `${x}-${++calls}`, { name: 'perArgs', cache: true });
    expect(await fn(1)).toBe('1-1');
    expect(await fn(1)).toBe('1-1');
    expect(await fn(2)).toBe('2-2');
    expect(calls).toBe(2);
  });

  it('caches per tenant: another userId in context runs the function again', async () => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(async () => ++calls, { name: 'perTenant', cache: true });
    expect(await runWithContext({ userId: 'u1' }, () => fn())).toBe(1);
    expect(await runWithContext({ userId: 'u2' }, () => fn())).toBe(2);
    expect(await runWithContext({ userId: 'u1' }, () => fn())).toBe(1);
    expect(calls).toBe(2);
  });

  it('keys a wrapped call like generateCacheKey(name, userId, taskId, args)', async () => {
    const { utils } = rig();
    utils.addToCache(utils.generateCacheKey('rates', 'u1', 't1', ['EUR']), 1.08);
    const fn = jest.fn(async (currency: string) => currency.length);
    const wrapped = utils.wrap(fn, { name: 'rates', cache: true });
    expect(await runWithContext({ userId: 'u1', taskId: 't1' }, () => wrapped('EUR'))).toBe(1.08);
    expect(fn).not.toHaveBeenCalled();
  });

  it('retries a failing wrapped function with the service defaults', async () => {
    const { utils, waits } = rig();
    let calls = 0;
    const fn = utils.wrap(
      async () => {
        if (++calls < 3) throw new Error(`failure ${calls}`);
        return 'ok';
      },
      { name: 'flaky', retry: {} },
    );
    expect(await fn()).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([1000, 2000]);
    expect(utils.getStats().retries).toBe(2);
  });

  it('rethrows the last error once the retry attempts run out', async () => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(
      async () => {
        throw new Error(`failure ${++calls}`);
      },
      { name: 'broken', retry: { attempts: 2 } },
    );
    await expect(fn()).rejects.toThrow('failure 2');
    expect(calls).toBe(2);
  });

  it('times out with TimeoutError whose operation is the wrap name', async () => {
    const { utils, clock } = rig();
    const fn = utils.wrap(() => new Promise<never>(() => {}), { name: 'slowOp', timeout: 50 });
    const settled = fn().catch((error: unknown) => error);
    await clock.advance(49);
    await clock.advance(1);
    const error = await settled;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', operation: 'slowOp', timeoutMs: 50 });
    expect(utils.getStats().timeouts).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not time out before the timeout has passed', async () => {
    const { utils, clock } = rig();
    const load = deferred<string>();
    const fn = utils.wrap(() => load.promise, { name: 'inTime', timeout: 50 });
    const result = fn();
    await clock.advance(49);
    load.resolve('done');
    expect(await result).toBe('done');
    expect(utils.getStats().timeouts).toBe(0);
  });

  it('preserves `this`', () => {
    const { utils } = rig();
    const obj = {
      factor: 3,
      times: utils.wrap(
        function (this: { factor: number }, n: number) {
          return this.factor * n;
        },
        { name: 'times' },
      ),
    };
    expect(obj.times(2)).toBe(6);
  });

  it('preserves `this` through cache, retry and timeout', async () => {
    const { utils } = rig();
    const obj = {
      factor: 5,
      times: utils.wrap(
        async function (this: { factor: number }, n: number) {
          return this.factor * n;
        },
        { name: 'timesAll', cache: true, retry: {}, timeout: 100 },
      ),
    };
    expect(await obj.times(2)).toBe(10);
  });

  it('keeps a sync cached function sync, on a miss and on a hit', () => {
    const { utils } = rig();
    let calls = 0;
    const sum = (a: number, b: number): number => {
      calls++;
      return a + b;
    };
    const fn = utils.wrap(sum, { name: 'syncSum', cache: true });
    expect(fn(1, 2)).toBe(3);
    expect(fn(1, 2)).toBe(3);
    expect(calls).toBe(1);
  });

  it('rejects a missing name with ConfigError naming wrap.name', () => {
    const { utils } = rig();
    const error = configErrorOf(() => utils.wrap(async () => 1, {} as unknown as { name: string }));
    expect(error.option).toBe('wrap.name');
  });

  it('rejects an empty name with ConfigError naming wrap.name', () => {
    const { utils } = rig();
    expect(configErrorOf(() => utils.wrap(async () => 1, { name: '' })).option).toBe('wrap.name');
  });

  it('rejects a negative timeout with ConfigError naming the wrapped timeout', () => {
    const { utils } = rig();
    expect(configErrorOf(() => utils.wrap(async () => 1, { name: 'w', timeout: -1 })).option).toBe(
      'wrap(w).timeout.ms',
    );
  });

  it('rejects a timeout given as a string with ConfigError, instead of using the default', () => {
    const { utils } = rig();
    const timeout = '100' as unknown as number;
    expect(configErrorOf(() => utils.wrap(async () => 1, { name: 'w', timeout })).option).toBe(
      'wrap(w).timeout',
    );
  });
});

describe('ExecutionUtils.getStats', () => {
  it('starts with every counter at 0, exactly these fields', () => {
    const { utils } = rig();
    expect(utils.getStats()).toEqual({
      hits: 0,
      misses: 0,
      hitRate: 0,
      sets: 0,
      evictions: 0,
      coalesced: 0,
      uncached: 0,
      refused: 0,
      batches: 0,
      batchItems: 0,
      executions: 0,
      retries: 0,
      timeouts: 0,
      budgetExhausted: 0,
      circuitRejections: 0,
      bulkheadRejections: 0,
      rateLimited: 0,
      hedges: 0,
      fallbacks: 0,
      faultsInjected: 0,
      staleHits: 0,
      staleIfError: 0,
      earlyRefreshes: 0,
      remoteHits: 0,
      remoteMisses: 0,
      remoteErrors: 0,
      remoteDecodeErrors: 0,
      invalidated: 0,
    });
  });

  it('counts a call that joins one in flight as a miss and as coalesced', async () => {
    const { utils } = rig();
    const load = deferred<string>();
    let calls = 0;
    const fn = utils.wrap(
      (_id: string) => {
        calls++;
        return load.promise;
      },
      { name: 'joined', cache: true },
    );
    const first = fn('a');
    const second = fn('a');
    load.resolve('v');
    expect(await first).toBe('v');
    expect(await second).toBe('v');
    expect(calls).toBe(1);
    expect(utils.getStats()).toMatchObject({ hits: 0, misses: 2, coalesced: 1, sets: 1 });
  });

  it('counts a call whose arguments cannot be keyed as uncached', async () => {
    const { utils } = rig();
    const fn = utils.wrap(async (cb: () => number) => cb(), { name: 'unkeyable', cache: true });
    expect(await fn(() => 7)).toBe(7);
    expect(utils.getStats()).toMatchObject({ uncached: 1, hits: 0, misses: 0, sets: 0 });
  });

  it('counts a result cacheIf refuses as refused, not as a set', async () => {
    const { utils } = rig();
    const fn = utils.wrap(async () => null, {
      name: 'refusing',
      cache: { cacheIf: (v) => v !== null },
    });
    await fn();
    expect(utils.getStats()).toMatchObject({ refused: 1, sets: 0 });
  });

  it('returns a snapshot that later calls do not change', () => {
    const { utils } = rig();
    const stats = utils.getStats();
    utils.getFromCache('absent');
    expect(stats.misses).toBe(0);
    expect(utils.getStats().misses).toBe(1);
  });

  it('keeps separate counters per service instance', () => {
    const a = new ExecutionUtils();
    const b = new ExecutionUtils();
    a.getFromCache('x');
    expect(b.getStats().misses).toBe(0);
  });
});

describe('ExecutionUtils.wrap with a breaker and a bulkhead', () => {
  it('opens the named breaker after failures and refuses calls without running the function', async () => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(
      async () => {
        calls++;
        throw new Error('down');
      },
      { name: 'flaky-fn', breaker: { consecutiveFailures: 2 } },
    );
    await fn().catch(() => undefined);
    await fn().catch(() => undefined);
    await expect(fn()).rejects.toMatchObject({ name: 'CircuitOpenError', circuit: 'flaky-fn' });
    expect(calls).toBe(2);
    expect(utils.getCircuitState('flaky-fn')).toBe('open');
  });

  it('rejects a call over the bulkhead at once', async () => {
    const { utils } = rig();
    const gate = deferred<string>();
    const fn = utils.wrap(() => gate.promise, {
      name: 'one-at-a-time',
      bulkhead: { maxConcurrent: 1 },
    });
    const first = fn();
    await expect(fn()).rejects.toMatchObject({ name: 'BulkheadRejectedError' });
    gate.resolve('done');
    expect(await first).toBe('done');
  });

  it('validates breaker and bulkhead options when wrapping', () => {
    const { utils } = rig();
    expect(
      configErrorOf(() => utils.wrap(async () => 1, { name: 'w', bulkhead: { maxConcurrent: 0 } }))
        .option,
    ).toBe('wrap(w).bulkhead.maxConcurrent');
  });
});

describe('warmUpCache when nothing can be cached', () => {
  it.each([
    ['with cacheSize 0', async () => rig({ cacheSize: 0 }).utils],
    [
      'after close()',
      async () => {
        const { utils } = rig();
        await utils.close();
        return utils;
      },
    ],
  ])('skips every operation without calling it %s', async (_label, make) => {
    const utils = await make();
    const func = jest.fn(async () => 'v');
    const result = await utils.warmUpCache([
      { funcName: 'f', userId: 'u', taskId: 't', args: [1], func },
    ]);
    expect(result).toEqual({ warmed: 0, skipped: 1, failed: 0 });
    expect(func).not.toHaveBeenCalled();
  });
});

describe('cacheMaxBytes', () => {
  it('bounds the cache by bytes and reports the exact bytes charged', () => {
    const { utils } = rig({ cacheMaxBytes: 2_000 });
    for (let i = 0; i < 10; i++) utils.addToCache(`k${i}`, 'z'.repeat(200));
    const stats = utils.getMemoryStats();
    expect(stats.cacheSize).toBeLessThan(10);
    expect(stats.cacheMemoryBytes).toBeLessThanOrEqual(2_000);
    expect(stats.cacheMemoryBytes).toBeGreaterThan(1_000);
    expect(utils.getFromCache('k9')).toBe('z'.repeat(200));
    expect(utils.getStats().evictions).toBeGreaterThan(0);
  });

  it.each([0, -1, 1.5, NaN, '1000'])('rejects cacheMaxBytes %p with ConfigError', (bad) => {
    expect(configErrorOf(() => new ExecutionUtils({ cacheMaxBytes: bad as number })).option).toBe(
      'cacheMaxBytes',
    );
  });
});
