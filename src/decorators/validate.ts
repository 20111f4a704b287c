import { checkTenantMode } from '../cache/tenant-mode';
import { validateRetryOptions } from '../resilience/retry-options';
import { BULKHEAD_OPTION_KEYS, validateBulkheadOptions } from '../resilience/bulkhead';
import {
  CIRCUIT_BREAKER_OPTION_KEYS,
  validateCircuitBreakerOptions,
} from '../resilience/circuit-breaker';
import {
  ADAPTIVE_TIMEOUT_OPTION_KEYS,
  validateAdaptiveTimeoutOptions,
} from '../resilience/latency-tracker';
import {
  checkFunction,
  checkKnownKeys,
  unknownOption,
  checkName,
  checkOptionsObject,
  checkTimeoutMs,
  checkTtlMs,
  fail,
  optionKeys,
  optional,
} from '../validation';
import type {
  BulkheadDecoratorOptions,
  CachedOptions,
  CircuitBreakerDecoratorOptions,
  PolicySet,
  TimeoutOptions,
} from './types';

/** The keys each options object may hold; any other is refused, with the closest of them. */
const POLICY_KEYS = optionKeys<PolicySet>({
  cache: true,
  retry: true,
  timeout: true,
  breaker: true,
  bulkhead: true,
});
const CACHED_OPTION_KEYS = optionKeys<CachedOptions>({
  ttl: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  name: true,
  key: true,
  tenant: true,
  cacheIf: true,
  tags: true,
});
const TIMEOUT_OPTION_KEYS = optionKeys<TimeoutOptions>({
  ms: true,
  operation: true,
  adaptive: true,
});
const BREAKER_DECORATOR_KEYS = optionKeys<Pick<CircuitBreakerDecoratorOptions, 'name'>>({
  name: true,
}).concat(CIRCUIT_BREAKER_OPTION_KEYS);
const BULKHEAD_DECORATOR_KEYS = optionKeys<Pick<BulkheadDecoratorOptions, 'name'>>({
  name: true,
}).concat(BULKHEAD_OPTION_KEYS);

/**
 * Checks what a method (decorators) or a wrapped function (`wrap`) asks for, when it is declared,
 * so a bad option fails at class definition rather than at the first call. `where` names it in
 * errors, e.g. `@Retry` or `wrap(rates)`. Values come from JavaScript too: every type is checked.
 */
export function validatePolicies(set: PolicySet, where: (policy: string) => string): void {
  // The set of `wrap` holds what its caller wrote besides `name` (the decorators' hold one key).
  for (const key of Object.keys(set)) {
    if (!POLICY_KEYS.includes(key)) throw unknownOption(where(key), key, POLICY_KEYS);
  }
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
      checkKnownKeys(label, set.breaker, BREAKER_DECORATOR_KEYS);
      optional(checkName)(`${label}.name`, set.breaker.name);
      validateCircuitBreakerOptions(set.breaker, label);
    }
  }
  if (set.bulkhead !== undefined) {
    const label = where('bulkhead');
    checkOptionsObject(label, set.bulkhead);
    checkKnownKeys(label, set.bulkhead, BULKHEAD_DECORATOR_KEYS);
    optional(checkName)(`${label}.name`, set.bulkhead.name);
    validateBulkheadOptions(set.bulkhead, label);
  }
}

function validateCachedOptions(options: CachedOptions, where: string): void {
  checkOptionsObject(where, options);
  checkKnownKeys(where, options, CACHED_OPTION_KEYS);
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
  checkKnownKeys(where, options, TIMEOUT_OPTION_KEYS);
  optional(checkTimeoutMs)(`${where}.ms`, options.ms);
  optional(checkName)(`${where}.operation`, options.operation);
  if (options.adaptive !== undefined) {
    checkOptionsObject(`${where}.adaptive`, options.adaptive);
    checkKnownKeys(`${where}.adaptive`, options.adaptive, ADAPTIVE_TIMEOUT_OPTION_KEYS);
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
