import { Bulkhead, Cached, CircuitBreaker, ConfigError, Retry, Timeout } from '../../src';
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
