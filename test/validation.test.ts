import { ConfigError } from '../src';
import { checkKnownKeys } from '../src/validation';
import { configErrorOf } from './helpers';

const KNOWN = ['cacheSize', 'cacheTtl', 'commandTimeout', 'wait'];

describe('checkKnownKeys', () => {
  it('accepts known keys, one set to undefined included', () => {
    expect(() => checkKnownKeys('', { cacheSize: 1, cacheTtl: undefined }, KNOWN)).not.toThrow();
  });

  it('names the unknown key and the known option it differs from only in case', () => {
    const error = configErrorOf(() => checkKnownKeys('', { cacheTTL: 5 }, KNOWN));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.option).toBe('cacheTTL');
    expect(error.message).toBe("cacheTTL: unknown option 'cacheTTL'; did you mean 'cacheTtl'?");
  });

  it('suggests the option a typo is closest to: a letter missing', () => {
    const error = configErrorOf(() => checkKnownKeys('redis', { comandTimeout: 5 }, KNOWN));
    expect(error.option).toBe('redis.comandTimeout');
    expect(error.message).toContain(
      "unknown option 'comandTimeout'; did you mean 'commandTimeout'?",
    );
  });

  it('counts two letters swapped as one edit', () => {
    const error = configErrorOf(() => checkKnownKeys('lock', { wiat: 5 }, KNOWN));
    expect(error.message).toContain("did you mean 'wait'?");
  });

  it('lists the known options when none is close', () => {
    const error = configErrorOf(() => checkKnownKeys('', { retries: 5 }, KNOWN));
    expect(error.message).toBe(
      "retries: unknown option 'retries'; the options are 'cacheSize', 'cacheTtl', " +
        "'commandTimeout', 'wait'",
    );
  });

  it('refuses an unknown key even when its value is undefined (a misspelt spread)', () => {
    expect(configErrorOf(() => checkKnownKeys('', { cacheTTL: undefined }, KNOWN)).option).toBe(
      'cacheTTL',
    );
  });
});
