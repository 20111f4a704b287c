import { checkTenantMode } from '../cache/tenant-mode';
import { validateRetryOptions } from '../resilience/retry-options';
import { validateBulkheadOptions } from '../resilience/bulkhead';
import { validateCircuitBreakerOptions } from '../resilience/circuit-breaker';
import { validateAdaptiveTimeoutOptions } from '../resilience/latency-tracker';
import {
  checkFunction,
  checkName,
  checkOptionsObject,
  checkTimeoutMs,
  checkTtlMs,
  fail,
  optional,
} from '../validation';
import type { CachedOptions, PolicySet, TimeoutOptions } from './types';

/**
 * Checks what a method (decorators) or a wrapped function (`wrap`) asks for, when it is declared,
 * so a bad option fails at class definition rather than at the first call. `where` names it in
 * errors, e.g. `@Retry` or `wrap(rates)`. Values come from JavaScript too: every type is checked.
 */
export function validatePolicies(set: PolicySet, where: (policy: string) => string): void {
  if (set.cache !== undefined) validateCachedOptions(set.cache, where('cache'));
  if (set.retry !== undefined) {
    if (typeof set.retry === 'string') checkName(where('retry'), set.retry);
    else validateRetryOptions(set.retry, where('retry'));
  }
  if (set.timeout !== undefined) validateTimeoutOptions(set.timeout, where('timeout'));
  if (set.breaker !== undefined) {
    const label = where('breaker');
    if (typeof set.breaker === 'string') checkName(label, set.breaker);
    else {
      checkOptionsObject(label, set.breaker);
      optional(checkName)(`${label}.name`, set.breaker.name);
      validateCircuitBreakerOptions(set.breaker, label);
    }
  }
  if (set.bulkhead !== undefined) {
    const label = where('bulkhead');
    checkOptionsObject(label, set.bulkhead);
    optional(checkName)(`${label}.name`, set.bulkhead.name);
    validateBulkheadOptions(set.bulkhead, label);
  }
}

function validateCachedOptions(options: CachedOptions, where: string): void {
  checkOptionsObject(where, options);
  if (typeof options.ttl !== 'function') optional(checkTtlMs)(`${where}.ttl`, options.ttl);
  optional(checkTtlMs)(`${where}.staleWhileRevalidate`, options.staleWhileRevalidate);
  optional(checkTtlMs)(`${where}.staleIfError`, options.staleIfError);
  optional(checkName)(`${where}.name`, options.name);
  optional(checkFunction)(`${where}.key`, options.key);
  optional(checkFunction)(`${where}.cacheIf`, options.cacheIf);
  optional(checkFunction)(`${where}.tags`, options.tags);
  optional(checkTenantMode)(`${where}.tenant`, options.tenant);
}

function validateTimeoutOptions(options: TimeoutOptions, where: string): void {
  optional(checkTimeoutMs)(`${where}.ms`, options.ms);
  optional(checkName)(`${where}.operation`, options.operation);
  if (options.adaptive !== undefined) {
    checkOptionsObject(`${where}.adaptive`, options.adaptive);
    validateAdaptiveTimeoutOptions(options.adaptive, `${where}.adaptive`);
  }
}

/** `@Timeout(ms)` and `wrap({ timeout: ms })` mean `{ ms }`; anything else must be options. */
export function toTimeoutOptions(spec: number | TimeoutOptions, where: string): TimeoutOptions {
  if (typeof spec === 'number') return { ms: spec };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    fail(where, spec, 'a number of ms or { ms?, operation?, adaptive? }');
  }
  return spec;
}
