import type { ExecutionContext } from '../context';
import type { RetryOptions } from '../resilience/retry-options';
import type { BulkheadOptions } from '../resilience/bulkhead';
import type { CircuitBreakerOptions } from '../resilience/circuit-breaker';
import type { AdaptiveTimeoutOptions } from '../resilience/latency-tracker';

/* eslint-disable @typescript-eslint/no-explicit-any -- method types must accept any signature */
export type AnyMethod = (this: any, ...args: any[]) => any;
export type AsyncMethod = (this: any, ...args: any[]) => PromiseLike<any>;
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

/** Whose entry a cached call may be served. */
export type TenantMode = 'optional' | 'required' | 'shared';

export interface CachedOptions {
  /**
   * Time to live of this method's entries in ms; 0 = never expires. Default: `cacheTtl`. A
   * function of the result sets it per entry (a short TTL for "not found").
   */
  ttl?: number | ((result: unknown) => number);
  /**
   * For this many ms after an entry expires, serve it at once and refresh it in the background
   * (one refresh per key at a time; counted as a hit and in `staleHits`). Async methods only.
   * Default 0 (off).
   */
  staleWhileRevalidate?: number;
  /**
   * For this many ms after an entry expires, serve it instead of the error when the call fails
   * after all its retries (counted in `staleIfError`); never for the caller's own abort. Async
   * methods only. Default 0 (off).
   */
  staleIfError?: number;
  /** The name keys are built from, instead of `Class.method`. Also the operation profile name. */
  name?: string;
  /** Derives what is keyed from the arguments (its result replaces the arguments in the key). */
  key?: (args: unknown[], ctx: ExecutionContext) => unknown;
  /**
   * `'optional'` (default): keyed by the context's userId/taskId when present.
   * `'required'`: a call without a userId in context runs uncached.
   * `'shared'`: one entry for every tenant (configuration-like data).
   */
  tenant?: TenantMode;
  /** Returns false to keep a result out of the cache. Default: every result is cached. */
  cacheIf?: (result: unknown) => boolean;
  /**
   * Labels for the entry, from the arguments and the result: `invalidateTags([...])` drops every
   * entry carrying any of them. A function that throws or returns anything but an array of strings
   * keeps the result out of the cache (counted in `refused`).
   */
  tags?: (args: unknown[], result: unknown) => readonly string[];
}

/** `@Retry` settings: a partial policy, or the name of an operation profile. */
export type RetrySpec = Partial<RetryOptions> | string;

export interface TimeoutOptions {
  /** Per-attempt limit in ms. Default: the operation's timeout, else `defaultTimeout`. */
  ms?: number;
  /** Operation profile (or `setOperationTimeout` name) that sets the limit. */
  operation?: string;
  /**
   * Follow the operation's observed latency: the limit is `clamp(percentile latency x
   * multiplier, min, max)` once enough attempts have finished, `max` before that (`max` defaults
   * to the limit the options above give). Shared by every call of the operation.
   */
  adaptive?: AdaptiveTimeoutOptions;
}

export interface CircuitBreakerDecoratorOptions extends CircuitBreakerOptions {
  /**
   * The breaker's name: every method and instance naming it shares one breaker, and the operation
   * profile of that name (`operations[name].circuitBreaker`) overrides these settings.
   * Default: `'Class.method'`.
   */
  name?: string;
}

/** `@CircuitBreaker` settings, or the name of the breaker (and of its operation profile). */
export type CircuitBreakerSpec = CircuitBreakerDecoratorOptions | string;

export interface BulkheadDecoratorOptions extends BulkheadOptions {
  /** The bulkhead's name: methods naming it share its slots. Default: `'Class.method'`. */
  name?: string;
}

/** What the decorators of one method ask for, one entry per policy. */
export interface PolicySet {
  cache?: CachedOptions;
  retry?: RetrySpec;
  timeout?: TimeoutOptions;
  breaker?: CircuitBreakerSpec;
  bulkhead?: BulkheadDecoratorOptions;
}
