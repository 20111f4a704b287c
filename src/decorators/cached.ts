import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import type { CachedOptions } from '../cache/cached-options';
import type { AnyMethod, PolicyDecorator } from './types';

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
  validatePolicies({ cache: options }, () => '@Cached');
  return recordPolicy('cache', options, '@Cached') as PolicyDecorator<AnyMethod>;
}
