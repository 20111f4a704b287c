import {
  CACHED_BATCH_OPTION_KEYS,
  MAX_BATCH_SIZE,
  validateCachedBatchOptions,
} from '../../src/cache/cached-batch-options';
import { configErrorOf } from '../helpers';

const validate = (options: object) => () => validateCachedBatchOptions(options, '@CachedBatch');

describe('validateCachedBatchOptions', () => {
  it('accepts every documented option', () => {
    expect(
      validate({
        name: 'user',
        ttl: (value: unknown) => (value ? 60_000 : 1_000),
        tenant: 'shared',
        staleWhileRevalidate: 1_000,
        staleIfError: 2_000,
        cacheIf: () => true,
        tags: () => ['t'],
        maxBatchSize: MAX_BATCH_SIZE,
        batchWindow: 5,
        cacheMissing: false,
        returns: 'map',
      }),
    ).not.toThrow();
    expect(CACHED_BATCH_OPTION_KEYS).toHaveLength(11);
  });

  it('refuses a maxBatchSize that is not a whole number from 1 to 10,000', () => {
    for (const maxBatchSize of [0, -3, 2.5, MAX_BATCH_SIZE + 1, '10', NaN]) {
      expect(configErrorOf(validate({ maxBatchSize })).message).toContain(
        '@CachedBatch.maxBatchSize',
      );
    }
  });

  it('refuses a bad batchWindow, cacheMissing, returns, ttl or tenant', () => {
    expect(configErrorOf(validate({ batchWindow: 0.5 })).message).toContain('batchWindow');
    expect(configErrorOf(validate({ cacheMissing: 'no' })).message).toContain('cacheMissing');
    expect(configErrorOf(validate({ returns: 'object' })).message).toContain('returns');
    expect(configErrorOf(validate({ ttl: -1 })).message).toContain('ttl');
    expect(configErrorOf(validate({ tenant: 'all' })).message).toContain('tenant');
    expect(configErrorOf(validate({ staleIfError: -5 })).message).toContain('staleIfError');
    expect(configErrorOf(validate({ tags: ['a'] })).message).toContain('tags');
  });

  it("refuses an unknown key, naming the closest option, and @Cached's options it does not take", () => {
    expect(configErrorOf(validate({ maxBatchSise: 5 })).message).toMatch(
      /did you mean 'maxBatchSize'/,
    );
    expect(configErrorOf(validate({ key: () => 1 })).message).toContain("'key'");
  });
});
