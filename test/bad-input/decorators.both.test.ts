import {
  Bulkhead,
  Cached,
  CircuitBreaker,
  ConfigError,
  Fallback,
  Hedge,
  RateLimit,
  Retry,
  Timeout,
  TimeoutError,
} from '../../src';
import { rig, type TestRig } from '../helpers';
import {
  circularObject,
  configErrorFrom,
  deepObject,
  expectCacheStillHits,
  expectNoPrototypePollution,
  revokedProxy,
  untyped,
} from './support';

// Decorator options fed what plain JavaScript can pass (run under both decorator standards):
// each bad one throws ConfigError naming the option when the decorator is called, at class
// definition. The policy functions a decorator takes (key, cacheIf, ttl) fail soft at call time:
// the call's result is returned and caching is skipped, counted.

let current: TestRig;
beforeEach(() => {
  current = rig();
});

describe('decorator options of the wrong type, range or shape', () => {
  it.each<[string, string, () => unknown]>([
    ['@Cached(null)', '@Cached', () => Cached(untyped(null))],
    ['@Cached(60000)', '@Cached', () => Cached(untyped(60_000))],
    ['@Cached([])', '@Cached', () => Cached(untyped([]))],
    ['@Cached({ ttl: -1 })', '@Cached.ttl', () => Cached({ ttl: -1 })],
    ['@Cached({ ttl: 1.5 })', '@Cached.ttl', () => Cached({ ttl: 1.5 })],
    ['@Cached({ ttl: NaN })', '@Cached.ttl', () => Cached({ ttl: NaN })],
    ['@Cached({ ttl: Infinity })', '@Cached.ttl', () => Cached({ ttl: Infinity })],
    ['@Cached({ ttl: "60s" })', '@Cached.ttl', () => Cached({ ttl: untyped('60s') })],
    ['@Cached({ ttl: null })', '@Cached.ttl', () => Cached({ ttl: untyped(null) })],
    ['@Cached({ tenant: "all" })', '@Cached.tenant', () => Cached({ tenant: untyped('all') })],
    ['@Cached({ tenant: null })', '@Cached.tenant', () => Cached({ tenant: untyped(null) })],
    ['@Cached({ name: "" })', '@Cached.name', () => Cached({ name: '' })],
    ['@Cached({ name: 5 })', '@Cached.name', () => Cached({ name: untyped(5) })],
    ['@Cached({ key: "id" })', '@Cached.key', () => Cached({ key: untyped('id') })],
    ['@Cached({ cacheIf: false })', '@Cached.cacheIf', () => Cached({ cacheIf: untyped(false) })],
    [
      '@Cached({ staleWhileRevalidate: -1 })',
      '@Cached.staleWhileRevalidate',
      () => Cached({ staleWhileRevalidate: -1 }),
    ],
    [
      '@Cached({ staleWhileRevalidate: 0.5 })',
      '@Cached.staleWhileRevalidate',
      () => Cached({ staleWhileRevalidate: 0.5 }),
    ],
    [
      '@Cached({ staleIfError: Infinity })',
      '@Cached.staleIfError',
      () => Cached({ staleIfError: Infinity }),
    ],
    ['@Retry(null)', '@Retry', () => Retry(untyped(null))],
    ['@Retry(3)', '@Retry', () => Retry(untyped(3))],
    ['@Retry("")', '@Retry', () => Retry('')],
    ['@Retry({ attempts: 0 })', '@Retry.attempts', () => Retry({ attempts: 0 })],
    ['@Retry({ attempts: -1 })', '@Retry.attempts', () => Retry({ attempts: -1 })],
    ['@Retry({ attempts: 2.5 })', '@Retry.attempts', () => Retry({ attempts: 2.5 })],
    ['@Retry({ attempts: NaN })', '@Retry.attempts', () => Retry({ attempts: NaN })],
    ['@Retry({ attempts: Infinity })', '@Retry.attempts', () => Retry({ attempts: Infinity })],
    [
      '@Retry({ attempts: 2 ** 31 + 0.5 })',
      '@Retry.attempts',
      () => Retry({ attempts: 2 ** 31 + 0.5 }),
    ],
    ['@Retry({ attempts: "3" })', '@Retry.attempts', () => Retry({ attempts: untyped('3') })],
    ['@Retry({ backoff: -1 })', '@Retry.backoff', () => Retry({ backoff: -1 })],
    ['@Retry({ backoff: Infinity })', '@Retry.backoff', () => Retry({ backoff: Infinity })],
    ['@Retry({ minDelay: NaN })', '@Retry.minDelay', () => Retry({ minDelay: NaN })],
    ['@Retry({ maxDelay: -5 })', '@Retry.maxDelay', () => Retry({ maxDelay: -5 })],
    [
      '@Retry({ minDelay: 10, maxDelay: 5 })',
      '@Retry.minDelay',
      () => Retry({ minDelay: 10, maxDelay: 5 }),
    ],
    ['@Retry({ jitter: "random" })', '@Retry.jitter', () => Retry({ jitter: untyped('random') })],
    ['@Retry({ retryOn: true })', '@Retry.retryOn', () => Retry({ retryOn: untyped(true) })],
    ['@Retry({ onRetry: "log" })', '@Retry.onRetry', () => Retry({ onRetry: untyped('log') })],
    [
      '@Retry({ retryAfter: 1000 })',
      '@Retry.retryAfter',
      () => Retry({ retryAfter: untyped(1000) }),
    ],
    ['@Retry({ maxElapsed: -1 })', '@Retry.maxElapsed', () => Retry({ maxElapsed: -1 })],
    ['@Retry({ maxElapsed: NaN })', '@Retry.maxElapsed', () => Retry({ maxElapsed: NaN })],
    ['@Retry({ operation: 5 })', '@Retry.operation', () => Retry({ operation: untyped(5) })],
    ['@Timeout(-1)', '@Timeout.ms', () => Timeout(-1)],
    ['@Timeout(NaN)', '@Timeout.ms', () => Timeout(NaN)],
    ['@Timeout(-Infinity)', '@Timeout.ms', () => Timeout(-Infinity)],
    ['@Timeout("100")', '@Timeout', () => Timeout(untyped('100'))],
    ['@Timeout(null)', '@Timeout', () => Timeout(untyped(null))],
    ['@Timeout(true)', '@Timeout', () => Timeout(untyped(true))],
    ['@Timeout([100])', '@Timeout', () => Timeout(untyped([100]))],
    ['@Timeout({ ms: "5" })', '@Timeout.ms', () => Timeout({ ms: untyped('5') })],
    ['@Timeout({ ms: null })', '@Timeout.ms', () => Timeout({ ms: untyped(null) })],
    ['@Timeout({ operation: "" })', '@Timeout.operation', () => Timeout({ operation: '' })],
    ['@Timeout({ adaptive: 5 })', '@Timeout.adaptive', () => Timeout({ adaptive: untyped(5) })],
    [
      '@Timeout({ adaptive: null })',
      '@Timeout.adaptive',
      () => Timeout({ adaptive: untyped(null) }),
    ],
    [
      'adaptive percentile 1',
      '@Timeout.adaptive.percentile',
      () => Timeout({ adaptive: { percentile: 1 } }),
    ],
    [
      'adaptive percentile NaN',
      '@Timeout.adaptive.percentile',
      () => Timeout({ adaptive: { percentile: NaN } }),
    ],
    [
      'adaptive multiplier 0.5',
      '@Timeout.adaptive.multiplier',
      () => Timeout({ adaptive: { multiplier: 0.5 } }),
    ],
    ['adaptive min 0', '@Timeout.adaptive.min', () => Timeout({ adaptive: { min: 0 } })],
    [
      'adaptive min above max',
      '@Timeout.adaptive.min',
      () => Timeout({ adaptive: { min: 10, max: 5 } }),
    ],
    [
      'adaptive minSamples 0',
      '@Timeout.adaptive.minSamples',
      () => Timeout({ adaptive: { minSamples: 0 } }),
    ],
    [
      'adaptive window 1.5',
      '@Timeout.adaptive.window',
      () => Timeout({ adaptive: { window: 1.5 } }),
    ],
    ['@CircuitBreaker(null)', '@CircuitBreaker', () => CircuitBreaker(untyped(null))],
    ['@CircuitBreaker(5)', '@CircuitBreaker', () => CircuitBreaker(untyped(5))],
    ['@CircuitBreaker("")', '@CircuitBreaker', () => CircuitBreaker('')],
    ['breaker name ""', '@CircuitBreaker.name', () => CircuitBreaker({ name: '' })],
    [
      'breaker consecutiveFailures 0',
      '@CircuitBreaker.consecutiveFailures',
      () => CircuitBreaker({ consecutiveFailures: 0 }),
    ],
    [
      'breaker consecutiveFailures 1.5',
      '@CircuitBreaker.consecutiveFailures',
      () => CircuitBreaker({ consecutiveFailures: 1.5 }),
    ],
    [
      'breaker failureRateThreshold 0',
      '@CircuitBreaker.failureRateThreshold',
      () => CircuitBreaker({ failureRateThreshold: 0 }),
    ],
    [
      'breaker failureRateThreshold 1.5',
      '@CircuitBreaker.failureRateThreshold',
      () => CircuitBreaker({ failureRateThreshold: 1.5 }),
    ],
    [
      'breaker failureRateThreshold NaN',
      '@CircuitBreaker.failureRateThreshold',
      () => CircuitBreaker({ failureRateThreshold: NaN }),
    ],
    [
      'breaker minimumCalls 0',
      '@CircuitBreaker.minimumCalls',
      () => CircuitBreaker({ minimumCalls: 0 }),
    ],
    ['breaker windowMs 0', '@CircuitBreaker.windowMs', () => CircuitBreaker({ windowMs: 0 })],
    [
      'breaker halfOpenAfter -1',
      '@CircuitBreaker.halfOpenAfter',
      () => CircuitBreaker({ halfOpenAfter: -1 }),
    ],
    [
      'breaker halfOpenAfter Infinity',
      '@CircuitBreaker.halfOpenAfter',
      () => CircuitBreaker({ halfOpenAfter: Infinity }),
    ],
    [
      'breaker halfOpenBackoff 0.5',
      '@CircuitBreaker.halfOpenBackoff',
      () => CircuitBreaker({ halfOpenBackoff: 0.5 }),
    ],
    [
      'breaker maxHalfOpenAfter below halfOpenAfter',
      '@CircuitBreaker.maxHalfOpenAfter',
      () => CircuitBreaker({ halfOpenAfter: 10, maxHalfOpenAfter: 5 }),
    ],
    [
      'breaker halfOpenMaxCalls 0',
      '@CircuitBreaker.halfOpenMaxCalls',
      () => CircuitBreaker({ halfOpenMaxCalls: 0 }),
    ],
    [
      'breaker isFailure "all"',
      '@CircuitBreaker.isFailure',
      () => CircuitBreaker({ isFailure: untyped('all') }),
    ],
    ['@Bulkhead(null)', '@Bulkhead', () => Bulkhead(untyped(null))],
    ['@Bulkhead(4)', '@Bulkhead', () => Bulkhead(untyped(4))],
    ['bulkhead name ""', '@Bulkhead.name', () => Bulkhead({ name: '' })],
    ['bulkhead maxConcurrent 0', '@Bulkhead.maxConcurrent', () => Bulkhead({ maxConcurrent: 0 })],
    [
      'bulkhead maxConcurrent 1.5',
      '@Bulkhead.maxConcurrent',
      () => Bulkhead({ maxConcurrent: 1.5 }),
    ],
    [
      'bulkhead maxConcurrent Infinity',
      '@Bulkhead.maxConcurrent',
      () => Bulkhead({ maxConcurrent: Infinity }),
    ],
    [
      'bulkhead maxConcurrent "4"',
      '@Bulkhead.maxConcurrent',
      () => Bulkhead({ maxConcurrent: untyped('4') }),
    ],
    ['bulkhead maxQueue -1', '@Bulkhead.maxQueue', () => Bulkhead({ maxQueue: -1 })],
    ['bulkhead maxQueue NaN', '@Bulkhead.maxQueue', () => Bulkhead({ maxQueue: NaN })],
    ['bulkhead priority NaN', '@Bulkhead.priority', () => Bulkhead({ priority: NaN })],
    ['bulkhead priority Infinity', '@Bulkhead.priority', () => Bulkhead({ priority: Infinity })],
    ['@RateLimit(null)', '@RateLimit', () => RateLimit(untyped(null))],
    ['@RateLimit(100)', '@RateLimit', () => RateLimit(untyped(100))],
    ['rate limit NaN', '@RateLimit.limit', () => RateLimit({ limit: NaN })],
    ['rate limit 1.5', '@RateLimit.limit', () => RateLimit({ limit: 1.5 })],
    ['rate limit Infinity', '@RateLimit.limit', () => RateLimit({ limit: Infinity })],
    ['rate limit "5"', '@RateLimit.limit', () => RateLimit({ limit: untyped('5') })],
    ['rate limit 2,000,000', '@RateLimit.limit', () => RateLimit({ limit: 2_000_000 })],
    ['rate intervalMs 0', '@RateLimit.intervalMs', () => RateLimit({ limit: 1, intervalMs: 0 })],
    [
      'rate intervalMs 2 ** 31',
      '@RateLimit.intervalMs',
      () => RateLimit({ limit: 1, intervalMs: 2 ** 31 }),
    ],
    ['rate wait NaN', '@RateLimit.wait', () => RateLimit({ limit: 1, wait: NaN })],
    [
      'rate shared "yes"',
      '@RateLimit.shared',
      () => RateLimit({ limit: 1, shared: untyped('yes') }),
    ],
    ['rate localLimit 0', '@RateLimit.localLimit', () => RateLimit({ limit: 1, localLimit: 0 })],
    ['@Hedge(null)', '@Hedge', () => Hedge(untyped(null))],
    ['hedge delay NaN', '@Hedge.delay', () => Hedge({ delay: NaN })],
    ['hedge delay Infinity', '@Hedge.delay', () => Hedge({ delay: Infinity })],
    ['hedge delay "50"', '@Hedge.delay', () => Hedge({ delay: untyped('50') })],
    ['hedge delay null', '@Hedge.delay', () => Hedge({ delay: untyped(null) })],
    ['hedge percentile 0', '@Hedge.delay.percentile', () => Hedge({ delay: { percentile: 0 } })],
    ['hedge maxHedges 0', '@Hedge.maxHedges', () => Hedge({ delay: 5, maxHedges: 0 })],
    ['hedge maxHedges 1.5', '@Hedge.maxHedges', () => Hedge({ delay: 5, maxHedges: 1.5 })],
    ['@Fallback(x, null)', '@Fallback', () => Fallback('x', untyped(null))],
    ['fallback on 5', '@Fallback.on', () => Fallback('x', { on: untyped(5) })],
    ['breaker shared 1', '@CircuitBreaker.shared', () => CircuitBreaker({ shared: untyped(1) })],
  ])('%s throws ConfigError naming %s', async (_, option, decorate) => {
    expect(configErrorFrom(decorate).option).toBe(option);
    await expectCacheStillHits(current.utils);
  });
});

describe('edge values the rules accept', () => {
  it.each<[string, () => unknown]>([
    ['@Timeout(0)', () => Timeout(0)],
    ['@Timeout(Infinity)', () => Timeout(Infinity)],
    ['@Timeout(2 ** 31)', () => Timeout(2 ** 31)],
    ['@Timeout(3e9)', () => Timeout(3e9)],
    ['@Timeout(0.5)', () => Timeout(0.5)],
    ['@Cached({ ttl: 0 })', () => Cached({ ttl: 0 })],
    ['@Cached({ ttl: 2 ** 31 })', () => Cached({ ttl: 2 ** 31 })],
    ['@Retry({ attempts: 2 ** 31 })', () => Retry({ attempts: 2 ** 31 })],
    ['@Retry({ maxElapsed: Infinity })', () => Retry({ maxElapsed: Infinity })],
    ['@Retry({ maxDelay: 3e9 })', () => Retry({ maxDelay: 3e9 })],
    ['@CircuitBreaker({ halfOpenAfter: 3e9 })', () => CircuitBreaker({ halfOpenAfter: 3e9 })],
    [
      '@Bulkhead({ maxConcurrent: 2 ** 31, maxQueue: 2 ** 53 })',
      () => Bulkhead({ maxConcurrent: 2 ** 31, maxQueue: 2 ** 53 }),
    ],
  ])('%s is accepted', (_, decorate) => {
    expect(decorate).not.toThrow();
  });

  it.each([0, Infinity])('@Timeout(%p) sets no limit and no timer', async (ms) => {
    class Unbounded {
      @Timeout(ms)
      async wait(): Promise<string> {
        return new Promise<string>(() => {});
      }
    }
    let outcome: unknown = 'pending';
    new Unbounded().wait().catch((error: unknown) => (outcome = error));
    expect(current.clock.pendingTimers).toBe(0);
    await current.clock.advance(1e12);
    expect(outcome).toBe('pending');
  });

  it('@Timeout(3e9) times out at 3e9 ms, not after ~1 ms', async () => {
    class Patient {
      @Timeout(3e9)
      async wait(): Promise<string> {
        return new Promise<string>(() => {});
      }
    }
    let outcome: unknown = 'pending';
    new Patient().wait().catch((error: unknown) => (outcome = error));
    await current.clock.advance(2 ** 31);
    expect(outcome).toBe('pending');
    await current.clock.advance(3e9 - 2 ** 31);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as TimeoutError).timeoutMs).toBe(3e9);
  });

  it('a profile name that does not exist fails the call with ConfigError, never running it', async () => {
    class Profiled {
      runs = 0;
      @Retry('no-such-profile')
      async op(): Promise<number> {
        return ++this.runs;
      }
    }
    const profiled = new Profiled();
    await expect(profiled.op()).rejects.toBeInstanceOf(ConfigError);
    expect(profiled.runs).toBe(0);
    await expectCacheStillHits(current.utils);
  });

  it.each(['constructor', 'toString', '__proto__'])(
    '@Retry(%p) names a profile that does not exist, not a property of Object.prototype',
    async (profile) => {
      class Inherited {
        @Retry(profile)
        async op(): Promise<number> {
          return 1;
        }
      }
      await expect(new Inherited().op()).rejects.toBeInstanceOf(ConfigError);
    },
  );

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'a policy named %p is an ordinary name: the call caches, trips no prototype',
    async (name) => {
      class Odd {
        runs = 0;
        @Cached({ name })
        @CircuitBreaker({ name })
        @Bulkhead({ name })
        @Timeout({ ms: 1_000, operation: name })
        async op(x: number): Promise<number> {
          this.runs++;
          return x;
        }
      }
      const odd = new Odd();
      expect(await odd.op(1)).toBe(1);
      expect(await odd.op(1)).toBe(1);
      expect(odd.runs).toBe(1);
      expect(current.utils.getCircuitState(name)).toBe('closed');
      expectNoPrototypePollution();
    },
  );
});

class Policies {
  runs = 0;

  @Cached({
    key: (args) => {
      if (args[0] === 'boom') throw new TypeError('key function bug');
      return args[0];
    },
  })
  async keyedAsync(id: string): Promise<string> {
    this.runs++;
    return `a-${id}`;
  }

  @Cached({
    key: (args) => {
      if (args[0] === 'boom') throw new RangeError('key function bug');
      return args[0];
    },
  })
  keyedSync(id: string): string {
    this.runs++;
    return `s-${id}`;
  }

  @Cached({ key: (args: unknown[]) => (args[0] as () => unknown)() })
  async derivedKey(make: () => unknown): Promise<number> {
    void make;
    return ++this.runs;
  }

  @Cached({
    cacheIf: () => {
      throw new Error('cacheIf bug');
    },
  })
  async judgedAsync(id: string): Promise<string> {
    this.runs++;
    return `a-${id}`;
  }

  @Cached({
    cacheIf: () => {
      throw new Error('cacheIf bug');
    },
  })
  judgedSync(id: string): string {
    this.runs++;
    return `s-${id}`;
  }

  @Cached({ ttl: (result) => (result as { ttl: number }).ttl })
  async ttlOf(result: { id: number; ttl: unknown }): Promise<{ id: number; ttl: unknown }> {
    this.runs++;
    return result;
  }

  @Cached({ ttl: (result) => (result as { ttl: number }).ttl })
  ttlOfSync(result: { id: number; ttl: unknown }): { id: number; ttl: unknown } {
    this.runs++;
    return result;
  }

  @Cached({
    ttl: () => {
      throw new Error('ttl bug');
    },
  })
  async ttlThrows(id: string): Promise<string> {
    this.runs++;
    return id;
  }
}

describe('the policy functions of @Cached fail soft at call time', () => {
  it('a throwing key function runs an async call uncached, still returning a Promise', async () => {
    const svc = new Policies();
    const call = svc.keyedAsync('boom');
    expect(call).toBeInstanceOf(Promise);
    await expect(call).resolves.toBe('a-boom');
    await expect(svc.keyedAsync('boom')).resolves.toBe('a-boom');
    expect(svc.runs).toBe(2);
    expect(current.utils.getStats()).toMatchObject({ uncached: 2, sets: 0 });
    await expectCacheStillHits(current.utils);
  });

  it('a throwing key function runs a sync call uncached, still returning its value', async () => {
    const svc = new Policies();
    expect(svc.keyedSync('boom')).toBe('s-boom');
    expect(svc.keyedSync('boom')).toBe('s-boom');
    expect(svc.runs).toBe(2);
    expect(current.utils.getStats()).toMatchObject({ uncached: 2 });
    expect(svc.keyedSync('ok')).toBe('s-ok');
    expect(svc.keyedSync('ok')).toBe('s-ok');
    expect(svc.runs).toBe(3);
  });

  it.each<[string, () => unknown]>([
    ['a function', () => () => 1],
    ['a symbol', () => Symbol('k')],
    ['a promise', () => Promise.resolve(1)],
    ['a circular object', circularObject],
    ['a 20,000-deep object', () => deepObject(20_000)],
    ['a revoked proxy', revokedProxy],
  ])('a key function returning %s runs the call uncached', async (_, make) => {
    const svc = new Policies();
    const value = make();
    await svc.derivedKey(() => value);
    await svc.derivedKey(() => value);
    expect(svc.runs).toBe(2);
    expect(current.utils.getStats().uncached).toBe(2);
    await expectCacheStillHits(current.utils);
  });

  it('a key function returning a __proto__ payload keys it apart from {}, and pollutes nothing', async () => {
    const svc = new Policies();
    const payload = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(await svc.derivedKey(() => payload)).toBe(1);
    expect(await svc.derivedKey(() => payload)).toBe(1);
    expect(await svc.derivedKey(() => ({}))).toBe(2);
    expectNoPrototypePollution();
  });

  it.each<[string, 'judgedAsync' | 'judgedSync']>([
    ['async', 'judgedAsync'],
    ['sync', 'judgedSync'],
  ])('a throwing cacheIf returns the %s result and counts it refused', async (_, method) => {
    const svc = new Policies();
    expect(await svc[method]('x')).toMatch(/-x$/);
    expect(await svc[method]('x')).toMatch(/-x$/);
    expect(svc.runs).toBe(2);
    expect(current.utils.getStats()).toMatchObject({ refused: 2, sets: 0 });
    await expectCacheStillHits(current.utils);
  });

  it.each<[string, unknown]>([
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['"60000"', '60000'],
    ['null', null],
    ['undefined', undefined],
    ['an object', { ms: 5 }],
    ['a bigint', 5n],
  ])(
    'ttl(result) returning %s returns the result (async and sync) and counts it refused',
    async (_, ttl) => {
      const svc = new Policies();
      const result = { id: 1, ttl };
      await expect(svc.ttlOf(result)).resolves.toBe(result);
      expect(svc.ttlOfSync(result)).toBe(result);
      expect(current.utils.getStats()).toMatchObject({ refused: 2, sets: 0 });
      await expectCacheStillHits(current.utils);
    },
  );

  it('a throwing ttl(result) returns the result and counts it refused', async () => {
    const svc = new Policies();
    await expect(svc.ttlThrows('x')).resolves.toBe('x');
    expect(current.utils.getStats()).toMatchObject({ refused: 1, sets: 0 });
  });

  it.each([0, 2 ** 31, 2 ** 53])('ttl(result) returning %p caches the result', async (ttl) => {
    const svc = new Policies();
    const result = { id: 2, ttl };
    await svc.ttlOf(result);
    await expect(svc.ttlOf(result)).resolves.toBe(result);
    expect(svc.runs).toBe(1);
    await current.clock.advance(2 ** 31 - 1);
    await svc.ttlOf(result);
    expect(svc.runs).toBe(1);
  });
});
