import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import type { AsyncMethod, PolicyDecorator } from './types';
import type { CircuitBreakerSpec } from '../resilience/breaker-spec';

/**
 * Stops calling a failing dependency: after too many failures the breaker opens and calls fail
 * at once with `CircuitOpenError` (never retried) until a trial call succeeds. One breaker per
 * name (default `Class.method`), shared by every instance and call site. Pass a string to name
 * the breaker (and its operation profile).
 *
 * @example
 * class Payments {
 *   @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfter: 30_000 })
 *   @Retry({ attempts: 3 })
 *   async charge(order: Order) { ... }
 * }
 */
export function CircuitBreaker(options: CircuitBreakerSpec = {}): PolicyDecorator<AsyncMethod> {
  validatePolicies({ breaker: options }, () => '@CircuitBreaker');
  return recordPolicy('breaker', options, '@CircuitBreaker') as PolicyDecorator<AsyncMethod>;
}
