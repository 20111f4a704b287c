import type { CachedBatchOptions } from '../cache/cached-batch-options';
import type { CachedOptions } from '../cache/cached-options';
import type { AnyMethod, BatchMethod, PolicySet } from '../decorators/types';
import type { CircuitBreakerSpec } from '../resilience/breaker-spec';
import type { BulkheadDecoratorOptions } from '../resilience/bulkhead-spec';
import type { RetrySpec } from '../resilience/retry-options';
import type { TimeoutOptions } from '../resilience/timeout-options';
import type { FallbackSpec } from '../resilience/fallback-options';
import type { RateLimitDecoratorOptions } from '../resilience/rate-limit-spec';
import type { HedgeDecoratorOptions } from '../resilience/hedge-options';
import { validatePolicies } from '../decorators/validate';
import { toTimeoutOptions } from '../resilience/timeout-options';
import { ConfigError } from '../errors';
import type { PipelineSpec } from '../pipeline/compile';
import { isAsyncFunction } from '../pipeline/returns-promise';
import { checkFunction, checkOptionsObject } from '../validation';
import type { ServiceCore } from './service-core';

/** Options of `ExecutionUtils.wrap`. */
export interface WrapOptions {
  /** Operation name: the cache-key name, the profile name and what errors report. */
  name: string;
  /** `true` for the default cache policy, or its options (as `@Cached`). */
  cache?: CachedOptions | boolean;
  /** A partial retry policy, or an operation profile name (as `@Retry`). */
  retry?: RetrySpec;
  /** Per-attempt timeout in ms, or its options (as `@Timeout`). */
  timeout?: number | TimeoutOptions;
  /** A circuit breaker (as `@CircuitBreaker`). */
  breaker?: CircuitBreakerSpec;
  /** A bulkhead (as `@Bulkhead`). */
  bulkhead?: BulkheadDecoratorOptions;
  /** What a failed call returns instead (as `@Fallback(to, { on })`). */
  fallback?: FallbackSpec;
  /** A rate limit (as `@RateLimit`). */
  rateLimit?: RateLimitDecoratorOptions;
  /** Hedged attempts (as `@Hedge`): only for a function safe to run twice at once. */
  hedge?: HedgeDecoratorOptions;
}

/**
 * Options of `ExecutionUtils.wrapBatch`: the `@CachedBatch` options (`name` is required: it is
 * the operation items are keyed by) and the policies of `wrap` besides the cache.
 */
export interface WrapBatchOptions
  extends Omit<CachedBatchOptions, 'name'>, Omit<WrapOptions, 'cache'> {}

/** `fn` behind the same pipeline as a decorated method, compiled on its first call. */
export function wrapFunction<F extends AnyMethod>(
  core: ServiceCore,
  fn: F,
  options: WrapOptions,
): F {
  const name = checkWrap('wrap', fn, options);
  const { cache, timeout, ...rest } = options;
  return wrapped(core, fn, name, {
    ...withoutName(rest),
    cache: cache === true ? {} : cache || undefined,
    timeout: timeout === undefined ? undefined : toTimeoutOptions(timeout, `wrap(${name}).timeout`),
  });
}

/** `fn`, a bulk function (an array of ids first), behind a `@CachedBatch` pipeline. */
export function wrapBatchFunction<F extends BatchMethod>(
  core: ServiceCore,
  fn: F,
  options: WrapBatchOptions,
): F {
  const name = checkWrap('wrapBatch', fn, options);
  const { retry, timeout, breaker, bulkhead, fallback, rateLimit, hedge, ...batch } = options;
  return wrapped(core, fn, name, {
    batch: { ...withoutName(batch), name },
    retry,
    breaker,
    bulkhead,
    fallback,
    rateLimit,
    hedge,
    timeout:
      timeout === undefined ? undefined : toTimeoutOptions(timeout, `wrapBatch(${name}).timeout`),
  });
}

/** Checks what every wrapper needs; returns the operation name. */
function checkWrap(method: string, fn: unknown, options: { name?: unknown }): string {
  checkFunction(`${method}(fn)`, fn);
  checkOptionsObject(`${method} options`, options);
  if (typeof options.name !== 'string' || !options.name) {
    throw new ConfigError(`${method}.name`, 'give the wrapped function a name');
  }
  return options.name;
}

function withoutName<T extends { name?: unknown }>(options: T): Omit<T, 'name'> {
  const rest = { ...options };
  delete rest.name;
  return rest;
}

function wrapped<F extends AnyMethod>(core: ServiceCore, fn: F, name: string, set: PolicySet): F {
  const policies = Object.fromEntries(
    Object.entries(set).filter(([, value]) => value !== undefined),
  ) as PolicySet;
  validatePolicies(policies, (policy) => `wrap(${name}).${policy}`);
  const spec: PipelineSpec = {
    ...policies,
    operation: policies.cache?.name ?? name,
    identity: fn,
    explicitName: true,
    original: fn,
    returnsPromise: isAsyncFunction(fn) ? true : undefined,
  };
  const { pipelines } = core;
  return function (this: unknown, ...args: unknown[]) {
    return pipelines.of(spec, spec)(this, args);
  } as F;
}
