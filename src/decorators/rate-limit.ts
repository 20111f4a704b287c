import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import type { AsyncMethod, PolicyDecorator } from './types';
import type { RateLimitDecoratorOptions } from '../resilience/rate-limit-spec';

/**
 * At most `limit` calls of an operation in any `intervalMs` (a sliding window: exact, at any
 * moment), per operation or per tenant (`scope: 'tenant'`). A call over the limit waits up to
 * `wait` ms for its turn, else fails with `RateLimitedError` (`retryAfterMs`; never retried).
 * One limiter per name (default `Class.method`), shared by every method naming it. A cache hit
 * spends nothing: the limit counts calls that reach the method.
 *
 * @example
 * class Geocoder {
 *   @RateLimit({ limit: 50, intervalMs: 1_000, scope: 'tenant', wait: 200 })
 *   async lookup(address: string) { ... }
 * }
 */
export function RateLimit(options: RateLimitDecoratorOptions): PolicyDecorator<AsyncMethod> {
  validatePolicies({ rateLimit: options }, () => '@RateLimit');
  return recordPolicy('rateLimit', options, '@RateLimit') as PolicyDecorator<AsyncMethod>;
}
