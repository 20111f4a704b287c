import { validateBreakerSpec, type CircuitBreakerSpec } from '../../src/resilience/breaker-spec';
import { configErrorOf } from '../helpers';

const untyped = (value: unknown): CircuitBreakerSpec => value as CircuitBreakerSpec;

describe('validateBreakerSpec', () => {
  it('accepts a breaker name, and options with a name and breaker settings', () => {
    expect(() => validateBreakerSpec('payments', '@CircuitBreaker')).not.toThrow();
    expect(() =>
      validateBreakerSpec({ name: 'payments', consecutiveFailures: 3 }, '@CircuitBreaker'),
    ).not.toThrow();
  });

  it('refuses an empty name', () => {
    expect(configErrorOf(() => validateBreakerSpec('', '@CircuitBreaker')).option).toBe(
      '@CircuitBreaker',
    );
    expect(configErrorOf(() => validateBreakerSpec({ name: '' }, '@CircuitBreaker')).option).toBe(
      '@CircuitBreaker.name',
    );
  });

  it('refuses an unknown key, naming the closest known option', () => {
    const error = configErrorOf(() =>
      validateBreakerSpec(untyped({ consecutiveFailure: 3 }), '@CircuitBreaker'),
    );
    expect(error.message).toContain("'consecutiveFailures'");
  });

  it('refuses a bad breaker setting, naming it under the label', () => {
    expect(
      configErrorOf(() => validateBreakerSpec({ halfOpenAfter: -1 }, 'wrap(x).breaker')).option,
    ).toBe('wrap(x).breaker.halfOpenAfter');
  });

  it('refuses a spec that is neither a name nor options', () => {
    expect(configErrorOf(() => validateBreakerSpec(untyped(5), '@CircuitBreaker')).option).toBe(
      '@CircuitBreaker',
    );
  });
});
