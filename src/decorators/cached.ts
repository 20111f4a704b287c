import { ConfigError } from '../errors';
import { checkNonNegativeMs, optional } from '../validation';
import { recordPolicy } from './metadata';
import type { AnyMethod, CachedOptions, PolicyDecorator } from './types';

/**
 * Caches a method's results per operation, tenant and arguments. Concurrent calls with the same
 * key share one execution; rejections are never cached; `undefined` and `null` are. A sync
 * method stays sync.
 *
 * @example
 * class Reports {
 *   @Cached({ ttl: 60_000 })
 *   async monthly(year: number, month: number) { ... }
 * }
 */
export function Cached(options: CachedOptions = {}): PolicyDecorator<AnyMethod> {
  if (typeof options.ttl !== 'function') optional(checkNonNegativeMs)('@Cached.ttl', options.ttl);
  optional(checkNonNegativeMs)('@Cached.staleWhileRevalidate', options.staleWhileRevalidate);
  optional(checkNonNegativeMs)('@Cached.staleIfError', options.staleIfError);
  const { tenant } = options;
  if (
    tenant !== undefined &&
    tenant !== 'optional' &&
    tenant !== 'required' &&
    tenant !== 'shared'
  ) {
    throw new ConfigError(
      '@Cached.tenant',
      `expected 'optional', 'required' or 'shared', got '${String(tenant)}'`,
    );
  }
  return recordPolicy('cache', options, '@Cached') as PolicyDecorator<AnyMethod>;
}
