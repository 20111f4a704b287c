import {
  CACHED_OPTION_KEYS,
  checkTenantMode,
  validateCachedOptions,
  type CachedOptions,
} from '../../src/cache/cached-options';
import { configErrorOf } from '../helpers';

const untyped = (value: unknown): CachedOptions => value as CachedOptions;

describe('validateCachedOptions', () => {
  it('accepts every option with a valid value', () => {
    expect(() =>
      validateCachedOptions(
        {
          ttl: 0,
          staleWhileRevalidate: 1_000,
          staleIfError: 5_000,
          name: 'reports',
          key: (args) => args[0],
          tenant: 'shared',
          cacheIf: (r) => r !== null,
          tags: () => ['t'],
        },
        '@Cached',
      ),
    ).not.toThrow();
  });

  it('accepts a ttl given as a function of the result', () => {
    expect(() => validateCachedOptions({ ttl: () => 5 }, '@Cached')).not.toThrow();
  });

  it('refuses an unknown key, naming the closest known option', () => {
    const error = configErrorOf(() => validateCachedOptions(untyped({ ttL: 5 }), '@Cached'));
    expect(error.message).toContain("'ttL'");
    expect(error.message).toContain("'ttl'");
  });

  it.each<[string, unknown, string]>([
    ['ttl', -1, '@Cached.ttl'],
    ['ttl', 1.5, '@Cached.ttl'],
    ['staleWhileRevalidate', -1, '@Cached.staleWhileRevalidate'],
    ['staleIfError', '5', '@Cached.staleIfError'],
    ['name', '', '@Cached.name'],
    ['key', 'id', '@Cached.key'],
    ['cacheIf', true, '@Cached.cacheIf'],
    ['tags', ['t'], '@Cached.tags'],
    ['tenant', 'everyone', '@Cached.tenant'],
  ])('refuses %s = %p, naming %s', (option, value, where) => {
    expect(
      configErrorOf(() => validateCachedOptions(untyped({ [option]: value }), '@Cached')).option,
    ).toBe(where);
  });

  it('refuses options that are not an object', () => {
    expect(configErrorOf(() => validateCachedOptions(untyped(null), 'wrap(x).cache')).option).toBe(
      'wrap(x).cache',
    );
  });
});

describe('checkTenantMode', () => {
  it.each(['optional', 'required', 'shared'])('accepts %s', (mode) => {
    expect(() => checkTenantMode('tenant', mode)).not.toThrow();
  });

  it('refuses another value', () => {
    expect(configErrorOf(() => checkTenantMode('tenant', 'all')).option).toBe('tenant');
  });
});

describe('CACHED_OPTION_KEYS', () => {
  it('lists every @Cached option', () => {
    expect([...CACHED_OPTION_KEYS].sort()).toEqual(
      [
        'cacheIf',
        'key',
        'name',
        'refreshAhead',
        'staleIfError',
        'staleWhileRevalidate',
        'tags',
        'tenant',
        'ttl',
      ].sort(),
    );
  });
});
