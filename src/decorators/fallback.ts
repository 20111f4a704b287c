import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import { checkOptionsObject } from '../validation';
import type { AnyMethod, PolicyDecorator } from './types';
import type { FallbackOptions } from '../resilience/fallback-options';

/**
 * What a call returns when it fails after every other policy (retries spent, breaker open,
 * bulkhead full, a timeout): `to` itself, or, when `to` is a function, what it returns when
 * called with the error and the call's arguments (with the call's `this`). `on` chooses which
 * errors it covers (default: all); the caller's own abort is never covered. A fallback is never
 * cached, and comes after `staleIfError`: a stale entry first, then the fallback.
 *
 * @example
 * class Prices {
 *   @Fallback((error: unknown, [sku]: [string]) => ({ sku, price: null, degraded: true }))
 *   @Retry({ attempts: 3 })
 *   async get(sku: string) { ... }
 * }
 */
export function Fallback(to: unknown, options: FallbackOptions = {}): PolicyDecorator<AnyMethod> {
  // Plain JavaScript may pass anything: options that are no object are refused, not spread.
  checkOptionsObject('@Fallback', options);
  const spec = { ...options, to };
  validatePolicies({ fallback: spec }, () => '@Fallback');
  return recordPolicy('fallback', spec, '@Fallback') as PolicyDecorator<AnyMethod>;
}
