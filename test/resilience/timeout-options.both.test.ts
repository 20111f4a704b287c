import {
  TIMEOUT_OPTION_KEYS,
  toTimeoutOptions,
  validateTimeoutOptions,
  type TimeoutOptions,
} from '../../src/resilience/timeout-options';
import { configErrorOf } from '../helpers';

const untyped = (value: unknown): TimeoutOptions => value as TimeoutOptions;

describe('toTimeoutOptions', () => {
  it('reads a number as { ms }', () => {
    expect(toTimeoutOptions(250, '@Timeout')).toEqual({ ms: 250 });
  });

  it('returns options as they are', () => {
    const options = { ms: 1, operation: 'slow' };
    expect(toTimeoutOptions(options, '@Timeout')).toBe(options);
  });

  it.each([
    ['a string', '100'],
    ['null', null],
    ['an array', [100]],
  ])('refuses %s, naming the label', (_name, value) => {
    expect(configErrorOf(() => toTimeoutOptions(untyped(value), '@Timeout')).option).toBe(
      '@Timeout',
    );
  });
});

describe('validateTimeoutOptions', () => {
  it('accepts ms, an operation profile and adaptive settings', () => {
    expect(() =>
      validateTimeoutOptions(
        { ms: 0, operation: 'slow', adaptive: { percentile: 0.95 } },
        '@Timeout',
      ),
    ).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['ms', -1, '@Timeout.ms'],
    ['ms', '5', '@Timeout.ms'],
    ['operation', '', '@Timeout.operation'],
    ['adaptive', 5, '@Timeout.adaptive'],
  ])('refuses %s = %p, naming %s', (option, value, where) => {
    expect(
      configErrorOf(() => validateTimeoutOptions(untyped({ [option]: value }), '@Timeout')).option,
    ).toBe(where);
  });

  it('refuses a bad adaptive setting, naming it under adaptive', () => {
    expect(
      configErrorOf(() => validateTimeoutOptions({ adaptive: { percentile: 2 } }, '@Timeout'))
        .option,
    ).toBe('@Timeout.adaptive.percentile');
  });

  it('refuses an unknown key, at the top and under adaptive', () => {
    expect(
      configErrorOf(() => validateTimeoutOptions(untyped({ timeout: 5 }), '@Timeout')).message,
    ).toContain("'timeout'");
    expect(
      configErrorOf(() => validateTimeoutOptions(untyped({ adaptive: { pct: 1 } }), '@Timeout'))
        .option,
    ).toBe('@Timeout.adaptive.pct');
  });

  it('lists the @Timeout option keys', () => {
    expect([...TIMEOUT_OPTION_KEYS].sort()).toEqual(['adaptive', 'ms', 'operation']);
  });
});
