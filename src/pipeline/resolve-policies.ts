import type { CachedOptions } from '../cache/cached-options';
import type { CircuitBreakerSpec } from '../resilience/breaker-spec';
import type { BulkheadDecoratorOptions } from '../resilience/bulkhead-spec';
import type { RetrySpec } from '../resilience/retry-options';
import type { TimeoutOptions } from '../resilience/timeout-options';
import type { BulkheadOptions } from '../resilience/bulkhead';
import type { CircuitBreakerOptions } from '../resilience/circuit-breaker';
import { ConfigError } from '../errors';
import type { ResolvedOptions } from '../options';
import type { RetryOptions } from '../resilience/retry-options';
import type { Probe } from '../observability/probe';
import type { PolicyRegistry } from '../resilience/registry';
import type { RetryPolicy } from '../resilience/retry';
import type { RateLimitDecoratorOptions } from '../resilience/rate-limit-spec';
import type { HedgeDecoratorOptions, HedgeDelay } from '../resilience/hedge-options';
import {
  rateLimiterSettings,
  validateRateLimiterOptions,
  type RateLimiterSettings,
} from '../resilience/rate-limiter';

/**
 * Precedence, for every policy, in one place: the operation profile (configuration) beats what
 * the decorator says (code), which beats the service's defaults; `setOperationTimeout` beats
 * them all for a timeout. Stateful policies (breakers, bulkheads, budgets) are resolved here and
 * only built by the registry.
 */

/**
 * Merges a retry policy: service defaults, then what the decorator says, then the operation
 * profile (configuration beats code, so operators can tune a deployed method). A string spec
 * names a profile that must exist. The budget is the profile's own, or the shared pool.
 */
export function resolveRetryPolicy(
  spec: RetrySpec,
  operation: string,
  options: ResolvedOptions,
  policies: PolicyRegistry,
  probe: Probe,
): RetryPolicy {
  const profileName = typeof spec === 'string' ? spec : (spec.operation ?? operation);
  const profile = options.operations[profileName]?.retry;
  if (typeof spec === 'string' && !profile) {
    throw new ConfigError(
      `@Retry(${operation})`,
      `operation profile '${spec}' has no retry settings; add operations['${spec}'].retry`,
    );
  }
  const defaults: RetryOptions = {
    attempts: options.retryAttempts,
    backoff: options.retryBackoff,
    minDelay: options.retryMinDelay,
    maxDelay: options.retryMaxDelay,
    jitter: options.retryJitter,
  };
  const layers = [typeof spec === 'string' ? {} : spec, profile ?? {}];
  return {
    ...mergeRetryLayers(defaults, layers),
    operation: profileName,
    // The profile's own budget if it sets one, else the pool every operation shares.
    budget: policies.retryBudget(profileName, options.operations[profileName]?.retryBudget),
    probe,
  };
}

/**
 * Lays retry settings over `defaults`, lowest precedence first. A delay clamp given by a later
 * layer beats the other clamp inherited from an earlier one: `{ maxDelay: 500 }` over the default
 * `minDelay` of 1000 lowers it to 500 (as tenacity's `wait_exponential(max=0.5)` works), and a
 * `minDelay` above an inherited `maxDelay` raises it. Each layer is validated on its own where it
 * is declared, so both clamps from one layer are already in order.
 */
export function mergeRetryLayers(
  defaults: RetryOptions,
  layers: readonly Partial<RetryOptions>[],
): RetryOptions {
  const merged = { ...defaults };
  let minFrom = -1;
  let maxFrom = -1;
  layers.forEach((layer, i) => {
    Object.assign(merged, definedOnly(layer));
    if (layer.minDelay !== undefined) minFrom = i;
    if (layer.maxDelay !== undefined) maxFrom = i;
  });
  if (merged.minDelay > merged.maxDelay) {
    if (maxFrom > minFrom) merged.minDelay = merged.maxDelay;
    else merged.maxDelay = merged.minDelay;
  }
  return merged;
}

/**
 * The per-attempt limit: `setOperationTimeout`, then the operation profile, then the decorator's
 * own `ms`, then `defaultTimeout`.
 */
export function resolveTimeoutMs(
  spec: TimeoutOptions,
  operation: string,
  options: ResolvedOptions,
  overrides: ReadonlyMap<string, number>,
): number {
  const name = spec.operation ?? operation;
  return (
    overrides.get(name) ?? options.operations[name]?.timeout ?? spec.ms ?? options.defaultTimeout
  );
}

/** The TTL of a cached operation: the operation profile, then the decorator, then `cacheTtl`. */
export function resolveCacheTtl(
  ttl: CachedOptions['ttl'],
  operation: string,
  options: ResolvedOptions,
): NonNullable<CachedOptions['ttl']> {
  return options.operations[operation]?.cacheTtl ?? ttl ?? options.cacheTtl;
}

/**
 * A breaker's name (the spec's, else the operation's) and settings: the profile of that name
 * over the decorator's. A name alone (`isolate(name)`) gets its profile's settings.
 */
export function resolveBreaker(
  spec: CircuitBreakerSpec,
  operation: string,
  options: ResolvedOptions,
): { name: string; shared: boolean; settings: CircuitBreakerOptions } {
  const {
    name = operation,
    shared = false,
    ...declared
  } = typeof spec === 'string' ? { name: spec } : spec;
  return { name, shared, settings: { ...declared, ...options.operations[name]?.circuitBreaker } };
}

/** A bulkhead's name, its calls' priority and its settings: the profile over the decorator. */
export function resolveBulkhead(
  spec: BulkheadDecoratorOptions,
  operation: string,
  options: ResolvedOptions,
): { name: string; priority: BulkheadDecoratorOptions['priority']; settings: BulkheadOptions } {
  const { name = operation, priority, ...declared } = spec;
  return { name, priority, settings: { ...declared, ...options.operations[name]?.bulkhead } };
}

/** A rate limit's name and settings: the profile of its name, over the decorator's. */
export function resolveRateLimit(
  spec: RateLimitDecoratorOptions,
  operation: string,
  options: ResolvedOptions,
): { name: string; shared: boolean; localLimit: number; settings: RateLimiterSettings } {
  const { name = operation, shared = false, localLimit, ...declared } = spec;
  const merged = { ...declared, ...definedOnly(options.operations[name]?.rateLimit ?? {}) };
  const where = options.operations[name]?.rateLimit ? `operations.${name}.rateLimit` : '@RateLimit';
  validateRateLimiterOptions(merged, where);
  const settings = rateLimiterSettings(merged, where);
  return { name, shared, localLimit: localLimit ?? settings.limit, settings };
}

/** A hedge's name and settings: the profile of its name, over the decorator's. */
export function resolveHedge(
  spec: HedgeDecoratorOptions,
  operation: string,
  options: ResolvedOptions,
): { name: string; delay: HedgeDelay; maxHedges: number } {
  const { name = operation, ...declared } = spec;
  const { delay, maxHedges = 1 } = {
    ...declared,
    ...definedOnly(options.operations[name]?.hedge ?? {}),
  };
  return { name, delay, maxHedges };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(o) as (keyof T)[]) {
    if (o[key] !== undefined) out[key] = o[key];
  }
  return out;
}
