import type { CachedOptions, RetrySpec, TimeoutOptions } from '../decorators/types';
import { ConfigError } from '../errors';
import { validateRetryOptions, type ResolvedOptions } from '../options';
import type { PolicyRegistry } from '../resilience/registry';
import type { RetryPolicy } from '../resilience/retry';

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
): RetryPolicy {
  const profileName = typeof spec === 'string' ? spec : (spec.operation ?? operation);
  const profile = options.operations[profileName]?.retry;
  if (typeof spec === 'string' && !profile) {
    throw new ConfigError(
      `@Retry(${operation})`,
      `operation profile '${spec}' has no retry settings; add operations['${spec}'].retry`,
    );
  }
  const policy: RetryPolicy = {
    attempts: options.retryAttempts,
    backoff: options.retryBackoff,
    minDelay: options.retryMinDelay,
    maxDelay: options.retryMaxDelay,
    jitter: options.retryJitter,
    ...(typeof spec === 'string' ? {} : definedOnly(spec)),
    ...definedOnly(profile ?? {}),
    operation: profileName,
    budget: policies.retryBudget(profileName),
  };
  validateRetryOptions(policy, `retry policy of ${operation}`);
  return policy;
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

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(o) as (keyof T)[]) {
    if (o[key] !== undefined) out[key] = o[key];
  }
  return out;
}
