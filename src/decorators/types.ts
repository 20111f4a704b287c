import type { CachedBatchOptions } from '../cache/cached-batch-options';
import type { CachedOptions } from '../cache/cached-options';
import type { CircuitBreakerSpec } from '../resilience/breaker-spec';
import type { BulkheadDecoratorOptions } from '../resilience/bulkhead-spec';
import type { RetrySpec } from '../resilience/retry-options';
import type { TimeoutOptions } from '../resilience/timeout-options';
import type { FallbackSpec } from '../resilience/fallback-options';
import type { RateLimitDecoratorOptions } from '../resilience/rate-limit-spec';
import type { HedgeDecoratorOptions } from '../resilience/hedge-options';

/* eslint-disable @typescript-eslint/no-explicit-any -- method types must accept any signature */
export type AnyMethod = (this: any, ...args: any[]) => any;
export type AsyncMethod = (this: any, ...args: any[]) => PromiseLike<any>;
/** A bulk method: an array of ids first, a Promise of an array or a Map as its result. */
export type BatchMethod = (
  this: any,
  ids: readonly any[],
  ...rest: any[]
) => PromiseLike<readonly any[] | ReadonlyMap<any, any>>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * A method decorator usable under both decorator standards. `M` bounds the methods it accepts:
 * `@Retry` and `@Timeout` take only methods returning a Promise, so a sync method is a compile
 * error. The decorated method keeps its exact signature.
 */
export interface PolicyDecorator<M extends AnyMethod> {
  /** `experimentalDecorators` (legacy) form. */
  <T extends M>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void;
  /** TypeScript 5 standard form. */
  <T extends M>(value: T, context: ClassMethodDecoratorContext<unknown, T>): T;
}

/**
 * What the decorators of one method ask for, one entry per policy. Each policy's option type,
 * key list and validation live beside the policy (cache/cached-options.ts,
 * resilience/retry-options.ts, timeout-options.ts, breaker-spec.ts, bulkhead-spec.ts).
 */
export interface PolicySet {
  cache?: CachedOptions;
  batch?: CachedBatchOptions;
  retry?: RetrySpec;
  timeout?: TimeoutOptions;
  breaker?: CircuitBreakerSpec;
  bulkhead?: BulkheadDecoratorOptions;
  fallback?: FallbackSpec;
  rateLimit?: RateLimitDecoratorOptions;
  hedge?: HedgeDecoratorOptions;
}
