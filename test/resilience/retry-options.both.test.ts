import {
  RETRY_DEFAULTS,
  checkDelayOrder,
  checkJitter,
  validateRetryOptions,
  validateRetrySpec,
  type RetryOptions,
} from '../../src/resilience/retry-options';
import { configErrorOf } from '../helpers';

const untyped = (value: unknown): Partial<RetryOptions> => value as Partial<RetryOptions>;

describe('RETRY_DEFAULTS', () => {
  it("are the original's: 3 attempts, 1 s backoff and minimum, 10 s maximum, equal jitter", () => {
    expect(RETRY_DEFAULTS).toEqual({
      attempts: 3,
      backoff: 1000,
      minDelay: 1000,
      maxDelay: 10_000,
      jitter: 'equal',
    });
  });
});

describe('validateRetryOptions', () => {
  it('accepts every option with a valid value', () => {
    expect(() =>
      validateRetryOptions(
        {
          attempts: 1,
          backoff: 0,
          minDelay: 0,
          maxDelay: 0,
          jitter: 'full',
          retryOn: () => true,
          onRetry: () => {},
          retryAfter: () => undefined,
          maxElapsed: 0,
          operation: 'p',
        },
        '@Retry',
      ),
    ).not.toThrow();
  });

  it.each<[string, unknown]>([
    ['attempts', 0],
    ['attempts', 1.5],
    ['backoff', -1],
    ['minDelay', '1'],
    ['maxDelay', -1],
    ['jitter', 'half'],
    ['retryOn', true],
    ['onRetry', 'log'],
    ['retryAfter', 5],
    ['maxElapsed', -1],
    ['operation', 5],
  ])('refuses %s = %p, naming it under the label', (option, value) => {
    expect(
      configErrorOf(() => validateRetryOptions(untyped({ [option]: value }), '@Retry')).option,
    ).toBe(`@Retry.${option}`);
  });

  it('refuses minDelay above maxDelay given together', () => {
    const error = configErrorOf(() =>
      validateRetryOptions({ minDelay: 500, maxDelay: 100 }, '@Retry'),
    );
    expect(error.option).toBe('@Retry.minDelay');
    expect(error.message).toContain('minDelay (500) must not exceed maxDelay (100)');
  });

  it('refuses an unknown key, naming the closest known option', () => {
    expect(
      configErrorOf(() => validateRetryOptions(untyped({ attempt: 3 }), '@Retry')).message,
    ).toContain("'attempts'");
  });
});

describe('validateRetrySpec', () => {
  it('accepts a profile name and refuses an empty one', () => {
    expect(() => validateRetrySpec('tight', '@Retry')).not.toThrow();
    expect(configErrorOf(() => validateRetrySpec('', '@Retry')).option).toBe('@Retry');
  });

  it('validates options as retry options', () => {
    expect(configErrorOf(() => validateRetrySpec({ attempts: 0 }, '@Retry')).option).toBe(
      '@Retry.attempts',
    );
  });
});

describe('checkDelayOrder', () => {
  it('accepts either delay alone, and an ordered pair', () => {
    expect(() => checkDelayOrder(5_000, undefined, 'x')).not.toThrow();
    expect(() => checkDelayOrder(undefined, 1, 'x')).not.toThrow();
    expect(() => checkDelayOrder(100, 100, 'x')).not.toThrow();
  });
});

describe('checkJitter', () => {
  it.each(['none', 'full', 'equal'])('accepts %s', (jitter) => {
    expect(() => checkJitter('retryJitter', jitter)).not.toThrow();
  });

  it('refuses another value', () => {
    expect(configErrorOf(() => checkJitter('retryJitter', 'random')).option).toBe('retryJitter');
  });
});
