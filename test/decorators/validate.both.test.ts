import {
  Bulkhead,
  Cached,
  CircuitBreaker,
  ConfigError,
  ExecutionUtils,
  Retry,
  Timeout,
} from '../../src';
import { configErrorOf } from '../helpers';

// Callers in plain JavaScript get no type checks: every decorator checks what it is given.
const untyped = (value: unknown): never => value as never;

describe('decorator arguments of the wrong type (both decorator standards)', () => {
  it.each<[string, () => unknown, string]>([
    ['@Timeout("100")', () => Timeout(untyped('100')), '@Timeout'],
    ['@Timeout(null)', () => Timeout(untyped(null)), '@Timeout'],
    ['@Timeout({ ms: "5" })', () => Timeout(untyped({ ms: '5' })), '@Timeout.ms'],
    ['@Timeout(-1)', () => Timeout(-1), '@Timeout.ms'],
    ['@Cached(null)', () => Cached(untyped(null)), '@Cached'],
    ['@Cached("name")', () => Cached(untyped('name')), '@Cached'],
    ['@Cached({ ttl: 1.5 })', () => Cached({ ttl: 1.5 }), '@Cached.ttl'],
    ['@Cached({ key: 1 })', () => Cached(untyped({ key: 1 })), '@Cached.key'],
    ['@Cached({ name: "" })', () => Cached({ name: '' }), '@Cached.name'],
    ['@Retry(5)', () => Retry(untyped(5)), '@Retry'],
    ['@Retry(null)', () => Retry(untyped(null)), '@Retry'],
    ['@Retry({ attempts: "3" })', () => Retry(untyped({ attempts: '3' })), '@Retry.attempts'],
    ['@CircuitBreaker(5)', () => CircuitBreaker(untyped(5)), '@CircuitBreaker'],
    ['@Bulkhead("x")', () => Bulkhead(untyped('x')), '@Bulkhead'],
  ])('%s throws ConfigError naming %s', (_, apply, option) => {
    const error = configErrorOf(apply);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.option).toBe(option);
  });

  it.each([0, Infinity])('@Timeout(%p) means no time limit and is accepted', (ms) => {
    expect(() => Timeout(ms)).not.toThrow();
  });
});

describe('unknown keys in decorator and wrap options (both decorator standards)', () => {
  const utils = new ExecutionUtils();
  const fn = async (): Promise<number> => 1;

  it.each<[string, () => unknown, string, string]>([
    ['@Cached', () => Cached(untyped({ TTL: 5 })), '@Cached.TTL', 'ttl'],
    ['@Retry', () => Retry(untyped({ attempt: 2 })), '@Retry.attempt', 'attempts'],
    ['@Timeout', () => Timeout(untyped({ mss: 5 })), '@Timeout.mss', 'ms'],
    [
      "@Timeout's adaptive options",
      () => Timeout(untyped({ adaptive: { percentil: 0.9 } })),
      '@Timeout.adaptive.percentil',
      'percentile',
    ],
    [
      '@CircuitBreaker',
      () => CircuitBreaker(untyped({ halfOpenAfterMs: 5 })),
      '@CircuitBreaker.halfOpenAfterMs',
      'halfOpenAfter',
    ],
    ['@Bulkhead', () => Bulkhead(untyped({ maxQueued: 3 })), '@Bulkhead.maxQueued', 'maxQueue'],
    ['wrap', () => utils.wrap(fn, untyped({ name: 'one', cach: true })), 'wrap(one).cach', 'cache'],
    [
      "wrap's cache options",
      () => utils.wrap(fn, untyped({ name: 'one', cache: { TTL: 5 } })),
      'wrap(one).cache.TTL',
      'ttl',
    ],
    [
      'createRetryStrategy',
      () => utils.createRetryStrategy('fetch', untyped({ attempt: 2 })),
      'createRetryStrategy(fetch).attempt',
      'attempts',
    ],
  ])('%s refuses an unknown key, naming it and the closest option', (_, apply, option, closest) => {
    const error = configErrorOf(apply);
    expect(error.option).toBe(option);
    const key = option.slice(option.lastIndexOf('.') + 1);
    expect(error.message).toContain(`unknown option '${key}'; did you mean '${closest}'?`);
  });

  it('accepts the name of @CircuitBreaker and @Bulkhead beside their policy options', () => {
    expect(() => CircuitBreaker({ name: 'api', consecutiveFailures: 2 })).not.toThrow();
    expect(() => Bulkhead({ name: 'api', maxConcurrent: 2 })).not.toThrow();
  });
});
