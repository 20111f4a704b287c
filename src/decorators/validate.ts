import { ConfigError } from '../errors';
import { validateRetryOptions } from '../options';
import { validateBulkheadOptions } from '../resilience/bulkhead';
import { validateCircuitBreakerOptions } from '../resilience/circuit-breaker';
import { validateAdaptiveTimeoutOptions } from '../resilience/latency-tracker';
import { checkNonNegativeMs, checkPositiveMs, optional } from '../validation';
import type { CachedOptions, PolicySet, TimeoutOptions } from './types';

/**
 * Checks what a method (decorators) or a wrapped function (`wrap`) asks for, when it is declared,
 * so a bad option fails at class definition rather than at the first call. `where` names it in
 * errors, e.g. `@Retry` or `wrap(rates)`.
 */
export function validatePolicies(set: PolicySet, where: (policy: string) => string): void {
  if (set.cache) validateCachedOptions(set.cache, where('cache'));
  if (typeof set.retry === 'object') validateRetryOptions(set.retry, where('retry'));
  if (set.timeout) validateTimeoutOptions(set.timeout, where('timeout'));
  if (typeof set.breaker === 'object') {
    validateCircuitBreakerOptions(set.breaker, where('breaker'));
  }
  if (set.bulkhead) validateBulkheadOptions(set.bulkhead, where('bulkhead'));
}

function validateCachedOptions(options: CachedOptions, where: string): void {
  if (typeof options.ttl !== 'function') optional(checkNonNegativeMs)(`${where}.ttl`, options.ttl);
  optional(checkNonNegativeMs)(`${where}.staleWhileRevalidate`, options.staleWhileRevalidate);
  optional(checkNonNegativeMs)(`${where}.staleIfError`, options.staleIfError);
  const { tenant } = options;
  if (tenant !== undefined && !['optional', 'required', 'shared'].includes(tenant)) {
    throw new ConfigError(
      `${where}.tenant`,
      `expected 'optional', 'required' or 'shared', got '${String(tenant)}'`,
    );
  }
}

function validateTimeoutOptions(options: TimeoutOptions, where: string): void {
  optional(checkPositiveMs)(`${where}.ms`, options.ms);
  if (options.adaptive) validateAdaptiveTimeoutOptions(options.adaptive, `${where}.adaptive`);
}

/** `@Timeout(ms)` and `wrap({ timeout: ms })` mean `{ ms }`. */
export function toTimeoutOptions(spec: number | TimeoutOptions): TimeoutOptions {
  return typeof spec === 'number' ? { ms: spec } : spec;
}
