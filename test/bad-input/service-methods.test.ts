import {
  Cached,
  ConfigError,
  ExecutionUtils,
  ManualClock,
  runWithContext,
  Timeout,
  TimeoutError,
  type WarmUpOperation,
} from '../../src';
import { deferred, rig, type TestRig } from '../helpers';
import {
  circularObject,
  configErrorFrom,
  deepObject,
  expectCacheStillHits,
  expectNoPrototypePollution,
  flatString,
  revokedProxy,
  shown,
  TEN_MB,
  never,
  thrownBy,
  untyped,
  watch,
} from './support';

// The service's methods fed bad arguments. Argument errors are ConfigErrors thrown synchronously
// (before any work starts, never as a rejected promise), naming the argument; the cache keeps
// working afterwards.

let current: TestRig;
let utils: ExecutionUtils;
beforeEach(() => {
  current = rig();
  utils = current.utils;
});
afterEach(async () => {
  await expectCacheStillHits(utils);
});

describe('addToCache / getFromCache', () => {
  it.each([-1, 1.5, 0.4, NaN, Infinity, -Infinity, '1000', null, true, {}])(
    'addToCache(key, value, %p) throws ConfigError naming ttl and stores nothing',
    (ttl) => {
      const error = configErrorFrom(() => utils.addToCache('k', 'v', untyped(ttl)));
      expect(error.option).toBe('ttl');
      const text = shown(ttl);
      if (text !== undefined) expect(error.message).toContain(`got ${text}`);
      expect(utils.getFromCache('k')).toBeUndefined();
    },
  );

  it.each([5, null, undefined, {}, ['k'], Symbol('k')])(
    'addToCache(%p, value) with a key that is not a string throws ConfigError naming key',
    (key) => {
      expect(configErrorFrom(() => utils.addToCache(untyped(key), 'v')).option).toBe('key');
    },
  );

  it.each([5, null, undefined, {}, Symbol('k')])(
    'getFromCache(%p) with a key that is not a string throws ConfigError naming key',
    (key) => {
      expect(configErrorFrom(() => utils.getFromCache(untyped(key))).option).toBe('key');
    },
  );

  it.each([2 ** 31, 2 ** 53, 0])('addToCache with ttl %p keeps the entry', async (ttl) => {
    utils.addToCache('k', 'v', ttl);
    await current.clock.advance(2 ** 31 - 1);
    expect(utils.getFromCache('k')).toBe('v');
  });

  it.each<[string, () => unknown]>([
    ['a __proto__ payload', () => JSON.parse('{"__proto__": {"polluted": true}}')],
    ['a constructor payload', () => JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}')],
    ['a circular object', circularObject],
    ['a 20,000-deep object', () => deepObject(20_000)],
    ['a 10 MB string', () => flatString(TEN_MB)],
  ])('stores and returns %s as is, and getMemoryStats still answers', (_, make) => {
    const value = make();
    utils.addToCache('k', value);
    expect(utils.getFromCache('k')).toBe(value);
    expect(utils.getMemoryStats().cacheSize).toBe(1);
    expectNoPrototypePollution();
  });

  it.each<[string, () => unknown]>([
    [
      'a getter that throws',
      () => ({
        get x(): never {
          throw new Error('lazy field broke');
        },
      }),
    ],
    [
      'a proxy whose ownKeys trap throws',
      () =>
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error('trap');
            },
          },
        ),
    ],
    ['a revoked proxy', revokedProxy],
  ])('getMemoryStats never throws because a cached value holds %s', (_, make) => {
    utils.addToCache('k', make());
    expect(thrownBy(() => utils.getMemoryStats())).toBeUndefined();
    void utils.clearCache();
  });
});

describe('withTimeout(ms, fn)', () => {
  it.each([-1, NaN, -Infinity, '100', null, undefined, true, {}])(
    'withTimeout(%p, fn) throws ConfigError naming ms, synchronously, without calling fn',
    (ms) => {
      const fn = jest.fn(async () => 'late');
      expect(configErrorFrom(() => utils.withTimeout(untyped(ms), fn)).option).toBe('ms');
      expect(fn).not.toHaveBeenCalled();
    },
  );

  it.each([null, undefined, 'fn', 5, {}])(
    'withTimeout(100, %p) throws ConfigError naming fn',
    (fn) => {
      expect(configErrorFrom(() => utils.withTimeout(100, untyped(fn))).option).toBe('fn');
    },
  );

  it.each([0, Infinity])('withTimeout(%p, fn) sets no limit and no timer', async (ms) => {
    const work = deferred<string>();
    const call = watch(utils.withTimeout(ms, () => work.promise));
    expect(current.clock.pendingTimers).toBe(0);
    await current.clock.advance(1e12);
    expect(call.outcome).toBe('pending');
    work.resolve('done');
    await current.clock.advance(0);
    expect(call.outcome).toEqual({ value: 'done' });
  });

  it.each([2 ** 31 - 1, 2 ** 31, 3e9])(
    'withTimeout(%p, fn) times out at that time, not after ~1 ms',
    async (ms) => {
      const call = watch(utils.withTimeout(ms, never));
      await current.clock.advance(1);
      expect(call.outcome).toBe('pending');
      await current.clock.advance(ms - 2);
      expect(call.outcome).toBe('pending');
      await current.clock.advance(1);
      expect(call.outcome).toBeInstanceOf(TimeoutError);
      expect((call.outcome as TimeoutError).timeoutMs).toBe(ms);
      expect(current.clock.pendingTimers).toBe(0);
    },
  );

  it('passes an error thrown synchronously by fn through, as a rejection', async () => {
    const error = new RangeError('from user code');
    await expect(
      utils.withTimeout(100, () => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(current.clock.pendingTimers).toBe(0);
  });
});

describe('executeWithRetryAndTimeout(fn, timeout, ...args)', () => {
  it.each([-1, NaN, -Infinity, '5000', null, undefined, []])(
    'a timeout of %p throws ConfigError naming timeout, without calling fn',
    (timeout) => {
      const fn = jest.fn(async () => 'x');
      const error = configErrorFrom(() => utils.executeWithRetryAndTimeout(fn, untyped(timeout)));
      expect(error.option).toBe('timeout');
      expect(fn).not.toHaveBeenCalled();
    },
  );

  it.each([null, undefined, 'fn', 5, {}])('fn = %p throws ConfigError naming fn', (fn) => {
    expect(configErrorFrom(() => utils.executeWithRetryAndTimeout(untyped(fn), 100)).option).toBe(
      'fn',
    );
  });

  it.each([0, Infinity, 2 ** 31, 3e9])(
    'a timeout of %p still retries and returns the result',
    async (timeout) => {
      let calls = 0;
      const flaky = async (a: number): Promise<number> => {
        if (++calls < 3) throw new Error('transient');
        return a * 2;
      };
      await expect(utils.executeWithRetryAndTimeout(flaky, timeout, 21)).resolves.toBe(42);
      expect(current.clock.pendingTimers).toBe(0);
    },
  );

  it('a deadline past 2^31 ms fires at that time, not after ~1 ms', async () => {
    const call = watch(utils.executeWithRetryAndTimeout(never, 3e9));
    await current.clock.advance(2 ** 31);
    expect(call.outcome).toBe('pending');
    await current.clock.advance(3e9 - 2 ** 31);
    expect(call.outcome).toBeInstanceOf(TimeoutError);
  });
});

class Slow {
  @Timeout()
  async op(): Promise<string> {
    return never();
  }
}

describe('setOperationTimeout(operation, ms)', () => {
  it.each([-1, NaN, -Infinity, '100', null, undefined, {}])(
    'setOperationTimeout("Slow.op", %p) throws ConfigError naming it',
    (ms) => {
      const error = configErrorFrom(() => utils.setOperationTimeout('Slow.op', untyped(ms)));
      expect(error.option).toContain('setOperationTimeout');
    },
  );

  it.each([null, undefined, '', 5, {}])(
    'setOperationTimeout(%p, 100) with an operation that is not a name throws ConfigError',
    (operation) => {
      configErrorFrom(() => utils.setOperationTimeout(untyped(operation), 100));
    },
  );

  it('a refused setOperationTimeout leaves the previous limit in force', async () => {
    utils.setOperationTimeout('Slow.op', 50);
    thrownBy(() => utils.setOperationTimeout('Slow.op', -1));
    const call = watch(new Slow().op());
    await current.clock.advance(50);
    expect(call.outcome).toBeInstanceOf(TimeoutError);
  });

  it.each([0, Infinity])('setOperationTimeout(op, %p) means no limit', async (ms) => {
    utils.setOperationTimeout('Slow.op', ms);
    const call = watch(new Slow().op());
    await current.clock.advance(1e12);
    expect(call.outcome).toBe('pending');
    expect(current.clock.pendingTimers).toBe(0);
  });

  it('setOperationTimeout(op, 3e9) times out at 3e9 ms, not after ~1 ms', async () => {
    utils.setOperationTimeout('Slow.op', 3e9);
    const call = watch(new Slow().op());
    await current.clock.advance(2 ** 31);
    expect(call.outcome).toBe('pending');
    await current.clock.advance(3e9 - 2 ** 31);
    expect(call.outcome).toBeInstanceOf(TimeoutError);
  });
});

describe('createRetryStrategy(metricName, overrides)', () => {
  it.each<[string, string, unknown]>([
    ['null overrides', 'createRetryStrategy(m)', null],
    ['string overrides', 'createRetryStrategy(m)', 'fast'],
    ['attempts 0', 'createRetryStrategy(m).attempts', { attempts: 0 }],
    ['attempts -1', 'createRetryStrategy(m).attempts', { attempts: -1 }],
    ['attempts 1.5', 'createRetryStrategy(m).attempts', { attempts: 1.5 }],
    ['attempts NaN', 'createRetryStrategy(m).attempts', { attempts: NaN }],
    ['attempts Infinity', 'createRetryStrategy(m).attempts', { attempts: Infinity }],
    ['attempts "3"', 'createRetryStrategy(m).attempts', { attempts: '3' }],
    ['attempts null', 'createRetryStrategy(m).attempts', { attempts: null }],
    ['backoff -1', 'createRetryStrategy(m).backoff', { backoff: -1 }],
    ['backoff Infinity', 'createRetryStrategy(m).backoff', { backoff: Infinity }],
    ['minDelay NaN', 'createRetryStrategy(m).minDelay', { minDelay: NaN }],
    ['maxDelay -1', 'createRetryStrategy(m).maxDelay', { maxDelay: -1 }],
    ['minDelay above maxDelay', 'createRetryStrategy(m).minDelay', { minDelay: 10, maxDelay: 5 }],
    ['jitter "random"', 'createRetryStrategy(m).jitter', { jitter: 'random' }],
    ['retryOn true', 'createRetryStrategy(m).retryOn', { retryOn: true }],
    ['onRetry "log"', 'createRetryStrategy(m).onRetry', { onRetry: 'log' }],
    ['retryAfter 5', 'createRetryStrategy(m).retryAfter', { retryAfter: 5 }],
    ['maxElapsed -1', 'createRetryStrategy(m).maxElapsed', { maxElapsed: -1 }],
    ['maxElapsed NaN', 'createRetryStrategy(m).maxElapsed', { maxElapsed: NaN }],
    ['operation 5', 'createRetryStrategy(m).operation', { operation: 5 }],
  ])('%s throws ConfigError naming %s', (_, option, overrides) => {
    const error = configErrorFrom(() => utils.createRetryStrategy('m', untyped(overrides)));
    expect(error.option).toBe(option);
  });

  it.each([null, undefined, 'fn', 5, {}])(
    'applying the strategy to %p throws ConfigError at once, not a TypeError on each attempt',
    (fn) => {
      const strategy = utils.createRetryStrategy('m');
      configErrorFrom(() => strategy(untyped(fn)));
    },
  );

  it('a retry hint (retryAfterMs) past 2^31 ms is capped by maxDelay', async () => {
    const strategy = utils.createRetryStrategy('m', { attempts: 2, maxDelay: 5_000 });
    let calls = 0;
    const fn = strategy(async () => {
      if (++calls === 1) throw Object.assign(new Error('busy'), { retryAfterMs: 3e9 });
      return 'ok';
    });
    await expect(fn()).resolves.toBe('ok');
    expect(current.waits).toEqual([5_000]);
  });
});

describe('warmUpCache(ops, options)', () => {
  const op = (over: Partial<WarmUpOperation> = {}): WarmUpOperation => ({
    funcName: 'Reports.monthly',
    userId: 'u1',
    taskId: 't1',
    args: [2024],
    func: async (year: number) => `report-${year}`,
    ...over,
  });

  it.each([0, -1, 1.5, NaN, Infinity, '4', null, true])(
    'concurrency %p throws ConfigError naming concurrency, synchronously',
    (concurrency) => {
      const func = jest.fn(async () => 1);
      const error = configErrorFrom(() =>
        utils.warmUpCache([op({ func })], { concurrency: untyped(concurrency) }),
      );
      expect(error.option).toBe('concurrency');
      expect(func).not.toHaveBeenCalled();
    },
  );

  it.each([null, 'fast', 5])('options = %p throws ConfigError, synchronously', (options) => {
    configErrorFrom(() => utils.warmUpCache([op()], untyped(options)));
  });

  it.each([null, undefined, 'Reports.monthly', 5, {}])(
    'ops = %p throws ConfigError, synchronously',
    (ops) => {
      configErrorFrom(() => utils.warmUpCache(untyped(ops)));
    },
  );

  it.each(['log', 5, {}])('onProgress = %p throws ConfigError, synchronously', (onProgress) => {
    configErrorFrom(() => utils.warmUpCache([op()], { onProgress: untyped(onProgress) }));
  });

  it.each([2 ** 31, 1e12])('concurrency %p is accepted', async (concurrency) => {
    await expect(utils.warmUpCache([op()], { concurrency })).resolves.toEqual({
      warmed: 1,
      skipped: 0,
      failed: 0,
    });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'Reports.monthly'],
    ['funcName 5', op({ funcName: untyped(5), args: [1] })],
    ['userId null', op({ userId: untyped(null), args: [2] })],
    ['args null', op({ args: untyped(null) })],
    ['args with a function', op({ args: [() => 1] })],
    ['args circular', op({ args: [circularObject()] })],
    ['args 20,000 deep', op({ args: [deepObject(20_000)] })],
    ['args a revoked proxy', op({ args: [revokedProxy()] })],
    ['kwargs with a symbol', op({ args: [3], kwargs: { s: Symbol('s') } })],
    ['func not a function', op({ args: [4], func: untyped('load') })],
    [
      'func that throws',
      op({
        args: [5],
        func: () => {
          throw new TypeError('bug');
        },
      }),
    ],
    ['func that rejects', op({ args: [6], func: () => Promise.reject(new Error('down')) })],
    ['ttl -1', op({ args: [7], ttl: -1 })],
    ['ttl 1.5', op({ args: [8], ttl: 1.5 })],
    ['ttl "60"', op({ args: [9], ttl: untyped('60') })],
  ])('an operation with %s counts as failed and the others still load', async (_, bad) => {
    const good = op({ args: [2030] });
    const result = await utils.warmUpCache([untyped(bad), good]);
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 1 });
    const key = utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2030]);
    expect(utils.getFromCache(key)).toBe('report-2030');
  });

  it('warms an entry whose argument carries a __proto__ key, which a decorated call then hits', async () => {
    class Reports {
      runs = 0;
      @Cached()
      async monthly(filter: unknown): Promise<string> {
        this.runs++;
        return `live-${JSON.stringify(filter)}`;
      }
    }
    const filter = JSON.parse('{"__proto__": {"isAdmin": true}}');
    await utils.warmUpCache([
      op({
        funcName: 'Reports.monthly',
        userId: 'u',
        taskId: 't',
        args: [filter],
        func: async () => 'warm',
      }),
    ]);
    const reports = new Reports();
    const run = () => runWithContext({ userId: 'u', taskId: 't' }, () => reports.monthly(filter));
    await expect(run()).resolves.toBe('warm');
    await expect(
      runWithContext({ userId: 'u', taskId: 't' }, () => reports.monthly({})),
    ).resolves.toBe('live-{}');
    expect(reports.runs).toBe(1);
    expectNoPrototypePollution();
  });
});

describe('wrap(fn, options)', () => {
  const fn = async (x: number): Promise<number> => x;

  it.each<[string, string, () => unknown]>([
    ['fn null', 'wrap(fn)', () => utils.wrap(untyped(null), { name: 'w' })],
    ['fn a string', 'wrap(fn)', () => utils.wrap(untyped('fn'), { name: 'w' })],
    ['options null', 'wrap options', () => utils.wrap(fn, untyped(null))],
    ['options a string', 'wrap options', () => utils.wrap(fn, untyped('w'))],
    ['options an array', 'wrap options', () => utils.wrap(fn, untyped([]))],
    ['no name', 'wrap.name', () => utils.wrap(fn, untyped({}))],
    ['name ""', 'wrap.name', () => utils.wrap(fn, { name: '' })],
    ['name 5', 'wrap.name', () => utils.wrap(fn, untyped({ name: 5 }))],
    ['name null', 'wrap.name', () => utils.wrap(fn, untyped({ name: null }))],
    ['cache "yes"', 'wrap(w).cache', () => utils.wrap(fn, { name: 'w', cache: untyped('yes') })],
    ['cache 5', 'wrap(w).cache', () => utils.wrap(fn, { name: 'w', cache: untyped(5) })],
    ['cache ttl -1', 'wrap(w).cache.ttl', () => utils.wrap(fn, { name: 'w', cache: { ttl: -1 } })],
    [
      'cache ttl 1.5',
      'wrap(w).cache.ttl',
      () => utils.wrap(fn, { name: 'w', cache: { ttl: 1.5 } }),
    ],
    [
      'cache ttl Infinity',
      'wrap(w).cache.ttl',
      () => utils.wrap(fn, { name: 'w', cache: { ttl: Infinity } }),
    ],
    [
      'cache tenant',
      'wrap(w).cache.tenant',
      () => utils.wrap(fn, { name: 'w', cache: { tenant: untyped('all') } }),
    ],
    [
      'cache key 5',
      'wrap(w).cache.key',
      () => utils.wrap(fn, { name: 'w', cache: { key: untyped(5) } }),
    ],
    [
      'cache cacheIf true',
      'wrap(w).cache.cacheIf',
      () => utils.wrap(fn, { name: 'w', cache: { cacheIf: untyped(true) } }),
    ],
    [
      'cache swr -1',
      'wrap(w).cache.staleWhileRevalidate',
      () => utils.wrap(fn, { name: 'w', cache: { staleWhileRevalidate: -1 } }),
    ],
    [
      'cache staleIfError NaN',
      'wrap(w).cache.staleIfError',
      () => utils.wrap(fn, { name: 'w', cache: { staleIfError: NaN } }),
    ],
    ['retry 5', 'wrap(w).retry', () => utils.wrap(fn, { name: 'w', retry: untyped(5) })],
    ['retry ""', 'wrap(w).retry', () => utils.wrap(fn, { name: 'w', retry: '' })],
    ['retry null', 'wrap(w).retry', () => utils.wrap(fn, { name: 'w', retry: untyped(null) })],
    [
      'retry attempts 0',
      'wrap(w).retry.attempts',
      () => utils.wrap(fn, { name: 'w', retry: { attempts: 0 } }),
    ],
    ['timeout -1', 'wrap(w).timeout.ms', () => utils.wrap(fn, { name: 'w', timeout: -1 })],
    ['timeout NaN', 'wrap(w).timeout.ms', () => utils.wrap(fn, { name: 'w', timeout: NaN })],
    [
      'timeout "100"',
      'wrap(w).timeout',
      () => utils.wrap(fn, { name: 'w', timeout: untyped('100') }),
    ],
    [
      'timeout null',
      'wrap(w).timeout',
      () => utils.wrap(fn, { name: 'w', timeout: untyped(null) }),
    ],
    [
      'timeout ms "5"',
      'wrap(w).timeout.ms',
      () => utils.wrap(fn, { name: 'w', timeout: { ms: untyped('5') } }),
    ],
    [
      'timeout adaptive 5',
      'wrap(w).timeout.adaptive',
      () => utils.wrap(fn, { name: 'w', timeout: { adaptive: untyped(5) } }),
    ],
    ['breaker 5', 'wrap(w).breaker', () => utils.wrap(fn, { name: 'w', breaker: untyped(5) })],
    ['breaker ""', 'wrap(w).breaker', () => utils.wrap(fn, { name: 'w', breaker: '' })],
    [
      'breaker failures 0',
      'wrap(w).breaker.consecutiveFailures',
      () => utils.wrap(fn, { name: 'w', breaker: { consecutiveFailures: 0 } }),
    ],
    [
      'bulkhead "x"',
      'wrap(w).bulkhead',
      () => utils.wrap(fn, { name: 'w', bulkhead: untyped('x') }),
    ],
    [
      'bulkhead maxConcurrent 0',
      'wrap(w).bulkhead.maxConcurrent',
      () => utils.wrap(fn, { name: 'w', bulkhead: { maxConcurrent: 0 } }),
    ],
    [
      'bulkhead maxQueue Infinity',
      'wrap(w).bulkhead.maxQueue',
      () => utils.wrap(fn, { name: 'w', bulkhead: { maxQueue: Infinity } }),
    ],
  ])('%s throws ConfigError naming %s', (_, option, wrap) => {
    expect(configErrorFrom(wrap).option).toBe(option);
  });

  it('a retry profile that does not exist fails with ConfigError, never running fn', async () => {
    const inner = jest.fn(fn);
    let error = thrownBy(() => utils.wrap(inner, { name: 'w', retry: 'no-such-profile' }));
    if (error === undefined) {
      const wrapped = utils.wrap(inner, { name: 'w', retry: 'no-such-profile' });
      error = await wrapped(1).catch((e: unknown) => e);
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(inner).not.toHaveBeenCalled();
  });

  it.each([0, Infinity, 2 ** 31, 3e9])('timeout %p is accepted', async (timeout) => {
    await expect(utils.wrap(fn, { name: `w${timeout}`, timeout })(7)).resolves.toBe(7);
  });
});

describe('breaker names: isolate / reset / getCircuitState', () => {
  it.each([null, undefined, '', 5, {}])('isolate(%p) throws ConfigError', (name) => {
    configErrorFrom(() => utils.isolate(untyped(name)));
  });

  it.each([null, undefined, '', 5, {}])('reset(%p) throws ConfigError', (name) => {
    configErrorFrom(() => utils.reset(untyped(name)));
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'a breaker named %p is an ordinary breaker',
    (name) => {
      expect(utils.getCircuitState(name)).toBe('closed');
      utils.isolate(name);
      expect(utils.getCircuitState(name)).toBe('open');
      utils.reset(name);
      expect(utils.getCircuitState(name)).toBe('closed');
      expectNoPrototypePollution();
    },
  );
});

describe('runWithContext(ctx, fn)', () => {
  it.each<[string, unknown, unknown]>([
    ['ctx null', null, () => 1],
    ['ctx a string', 'user-1', () => 1],
    ['ctx a number', 5, () => 1],
    ['fn null', {}, null],
    ['fn a string', {}, 'work'],
    ['signal a string', { signal: 'abort' }, () => 1],
    ['signal a plain object', { signal: { aborted: false } }, () => 1],
  ])('%s throws ConfigError at the call, outside any context', (_, ctx, fn) => {
    configErrorFrom(() => runWithContext(untyped(ctx), untyped(fn)));
  });

  it.each<[string, unknown, unknown]>([
    ['ctx null', null, () => 1],
    ['fn a string', {}, 'work'],
    ['signal a string', { signal: 'abort' }, () => 1],
  ])('%s throws ConfigError at the call, inside another context', (_, ctx, fn) => {
    const outer = new AbortController();
    runWithContext({ userId: 'u', signal: outer.signal }, () => {
      configErrorFrom(() => runWithContext(untyped(ctx), untyped(fn)));
    });
  });
});

describe('test helpers: ExecutionUtils.forTesting and ManualClock', () => {
  it.each<[string, string | undefined, unknown]>([
    ['cacheSize -1', 'cacheSize', { cacheSize: -1 }],
    ['cacheTtl 1.5', 'cacheTtl', { cacheTtl: 1.5 }],
    ['defaultTimeout NaN', 'defaultTimeout', { defaultTimeout: NaN }],
    ['null options', undefined, null],
    ['string options', undefined, 'fast'],
  ])('forTesting with %s throws ConfigError', (_, option, options) => {
    const error = configErrorFrom(() => ExecutionUtils.forTesting(untyped(options)));
    if (option !== undefined) expect(error.option).toBe(option);
  });

  it.each([NaN, '5', null, Infinity])('new ManualClock(%p) throws ConfigError', (start) => {
    configErrorFrom(() => new ManualClock(untyped(start)));
  });

  it.each([-1, NaN, '10', null])(
    'clock.advance(%p) fails with ConfigError (thrown or rejected) and leaves the time as it was',
    async (ms) => {
      const clock = new ManualClock();
      const failure = await Promise.resolve()
        .then(() => clock.advance(untyped(ms)))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(ConfigError);
      expect(clock.now()).toBe(1_000_000);
    },
  );
});

describe('a 10 MB argument to a service method', () => {
  it('generateCacheKey digests a 10 MB funcName, userId and taskId quickly', () => {
    const big = flatString(TEN_MB);
    const started = performance.now();
    for (const key of [
      utils.generateCacheKey(big, '', '', []),
      utils.generateCacheKey('f', big, '', []),
      utils.generateCacheKey('f', '', big, []),
    ]) {
      expect(key).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
