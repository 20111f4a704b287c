import type { CachedOptions } from '../cache/cached-options';
import type { AnyMethod, PolicySet } from '../decorators/types';
import type { CircuitBreakerSpec } from '../resilience/breaker-spec';
import type { BulkheadDecoratorOptions } from '../resilience/bulkhead-spec';
import type { RetrySpec } from '../resilience/retry-options';
import type { TimeoutOptions } from '../resilience/timeout-options';
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
}

/** `fn` behind the same pipeline as a decorated method, compiled on its first call. */
export function wrapFunction<F extends AnyMethod>(
  core: ServiceCore,
  fn: F,
  options: WrapOptions,
): F {
  checkFunction('wrap(fn)', fn);
  checkOptionsObject('wrap options', options);
  if (typeof options.name !== 'string' || !options.name) {
    throw new ConfigError('wrap.name', 'give the wrapped function a name');
  }
  const { name, cache, timeout, ...rest } = options;
  const policies: PolicySet = {
    ...rest,
    cache: cache === true ? {} : cache || undefined,
    timeout: timeout === undefined ? undefined : toTimeoutOptions(timeout, `wrap(${name}).timeout`),
  };
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
