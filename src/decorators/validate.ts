import { validateCachedBatchOptions } from '../cache/cached-batch-options';
import { validateCachedOptions } from '../cache/cached-options';
import { validateBreakerSpec } from '../resilience/breaker-spec';
import { validateBulkheadSpec } from '../resilience/bulkhead-spec';
import { validateFallbackSpec } from '../resilience/fallback-options';
import { validateRateLimitSpec } from '../resilience/rate-limit-spec';
import { validateHedgeSpec } from '../resilience/hedge-options';
import { validateRetrySpec } from '../resilience/retry-options';
import { validateTimeoutOptions } from '../resilience/timeout-options';
import { optionKeys, unknownOption } from '../validation';
import type { PolicySet } from './types';

/** The policies a method (or `wrap`) may ask for; any other key is refused, with the closest. */
const POLICY_KEYS = optionKeys<PolicySet>({
  cache: true,
  batch: true,
  retry: true,
  timeout: true,
  breaker: true,
  bulkhead: true,
  fallback: true,
  rateLimit: true,
  hedge: true,
});

/**
 * Checks what a method (decorators) or a wrapped function (`wrap`) asks for, when it is declared,
 * so a bad option fails at class definition rather than at the first call. `where` names it in
 * errors, e.g. `@Retry` or `wrap(rates)`. Values come from JavaScript too: every type is checked,
 * each policy by the validator beside it.
 */
export function validatePolicies(set: PolicySet, where: (policy: string) => string): void {
  // The set of `wrap` holds what its caller wrote besides `name` (the decorators' hold one key).
  for (const key of Object.keys(set)) {
    if (!POLICY_KEYS.includes(key)) throw unknownOption(where(key), key, POLICY_KEYS);
  }
  if (set.cache !== undefined) validateCachedOptions(set.cache, where('cache'));
  if (set.batch !== undefined) validateCachedBatchOptions(set.batch, where('batch'));
  if (set.retry !== undefined) validateRetrySpec(set.retry, where('retry'));
  if (set.timeout !== undefined) validateTimeoutOptions(set.timeout, where('timeout'));
  if (set.breaker !== undefined) validateBreakerSpec(set.breaker, where('breaker'));
  if (set.bulkhead !== undefined) validateBulkheadSpec(set.bulkhead, where('bulkhead'));
  if (set.fallback !== undefined) validateFallbackSpec(set.fallback, where('fallback'));
  if (set.rateLimit !== undefined) validateRateLimitSpec(set.rateLimit, where('rateLimit'));
  if (set.hedge !== undefined) validateHedgeSpec(set.hedge, where('hedge'));
}
