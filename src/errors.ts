/**
 * Every error class the library throws. Each has a stable `name`, a message that says what was
 * wrong and what to do, and `cause` where there is one. Errors thrown by user code are never
 * wrapped: they pass through the pipeline unchanged.
 */

/** An option or environment variable had a value the library cannot use. Never retried. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The option (or environment variable) that was wrong, e.g. `retryAttempts`. */
  readonly option: string;
  /** Marks the error as permanent for the retry policy. */
  readonly retryable = false;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/**
 * A cache-key argument cannot be keyed safely (a function, symbol, promise, WeakMap, circular
 * structure, or class instance without `toJSON()`). `generateCacheKey` throws it; a decorated
 * call runs uncached instead. Never retried.
 */
export class CacheKeyError extends TypeError {
  override readonly name = 'CacheKeyError';
  /** Where in the arguments the value sits, e.g. `args[1].filters[0]`. */
  readonly path: string;
  readonly retryable = false;

  constructor(path: string, reason: string) {
    super(
      `cannot build a cache key: ${path} is ${reason}; pass plain data (or give the class a toJSON()), ` +
        'or supply a `key` function in @Cached',
    );
    this.path = path;
  }
}

/** A call ran past its time limit: a per-attempt `@Timeout` or a total deadline. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /** The operation that timed out (`Class.method`, a `wrap` name, or the operation profile). */
  readonly operation: string;

  constructor(operation: string, timeoutMs: number, cause?: unknown) {
    super(
      `${operation} timed out after ${timeoutMs} ms; raise its timeout or find out why it is slow`,
      cause === undefined ? undefined : { cause },
    );
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A call found every slot of a bulkhead busy and its queue full. Never retried (`retryable` is
 * `false`): retrying at once would only add to the overload.
 */
export class BulkheadRejectedError extends Error {
  override readonly name = 'BulkheadRejectedError';
  /** Marks the error as permanent for the retry policy. */
  readonly retryable = false;
  /** The name of the bulkhead that rejected the call. */
  readonly bulkhead: string;
  /** The bulkhead's `maxConcurrent` when it rejected the call. */
  readonly maxConcurrent: number;
  /** The bulkhead's `maxQueue` when it rejected the call. */
  readonly maxQueue: number;

  constructor(bulkhead: string, maxConcurrent: number, maxQueue: number) {
    super(
      `bulkhead '${bulkhead}' is full: ${maxConcurrent} calls running and ${maxQueue} waiting; ` +
        'raise its maxConcurrent or maxQueue, or shed load before calling',
    );
    this.bulkhead = bulkhead;
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }
}

function describeRefusal(circuit: string, retryAfterMs: number): string {
  if (retryAfterMs === Infinity) {
    return `circuit '${circuit}' is isolated: it refuses every call until reset() is called`;
  }
  if (retryAfterMs === 0) {
    return (
      `circuit '${circuit}' is half-open and its trial calls are all in flight; ` +
      'retry once they finish'
    );
  }
  return (
    `circuit '${circuit}' is open after repeated failures; retry in ${retryAfterMs} ms, ` +
    'when it lets a trial call through'
  );
}

/**
 * A circuit breaker refused a call: it is open (the dependency failed too often), isolated, or
 * half-open with every trial call already in flight. Never retried (`retryable === false`):
 * retrying at once would be refused again.
 */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  /** Marks the error as permanent for the retry policy. */
  readonly retryable = false;
  /** Name of the circuit that refused the call. */
  readonly circuit: string;
  /**
   * Ms until the breaker lets a trial call through, rounded up. `Infinity` while isolated (until
   * `reset()`); 0 when half-open with every trial in flight (their outcome decides, at a time the
   * breaker cannot know).
   */
  readonly retryAfterMs: number;

  /** `retryAfterMs` also chooses the message: `Infinity` = isolated, 0 = trials busy, else open. */
  constructor(circuit: string, retryAfterMs: number) {
    super(describeRefusal(circuit, retryAfterMs));
    this.circuit = circuit;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * An entry holds something the codec could not restore, so it cannot go to Redis. The caller
 * keeps it in the in-process tier only.
 */
export class UnencodableValueError extends Error {
  override readonly name = 'UnencodableValueError';
  /** Where the value sits, e.g. `value.items[2]`, `value<map key 0>`, or an envelope field. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(
      `cannot store ${path} in the shared cache: it is ${reason}; cache plain data ` +
        '(or give the class a toJSON()) to share it across processes',
    );
    this.path = path;
  }
}

/** One id of a batch whose item failed, and why. */
export interface FailedItem {
  readonly id: unknown;
  readonly error: unknown;
}

/**
 * A `@CachedBatch` call asked for ids whose items failed: the method's result held an `Error` in
 * their place. Carries every failed id the caller asked for; the other items were cached and
 * served as usual (a caller that asked for none of the failed ids got its values).
 */
export class BatchItemsError extends Error {
  override readonly name = 'BatchItemsError';
  readonly operation: string;
  readonly failures: readonly FailedItem[];

  constructor(operation: string, failures: readonly FailedItem[]) {
    const first = failures[0];
    super(
      `${operation}: ${failures.length} of the ids asked for failed (first: ${String(first.id)}: ` +
        `${first.error instanceof Error ? first.error.message : String(first.error)})`,
      { cause: first.error },
    );
    this.operation = operation;
    this.failures = failures;
  }
}

/**
 * The failure fault injection (`faults`, `injectFaults`) puts in place of an attempt when its
 * spec gives no `error` of its own. Retryable, like the transient failures it stands for.
 */
export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
  /** The operation whose attempt was failed. */
  readonly operation: string;

  constructor(operation: string) {
    super(
      `fault injected into ${operation} (the faults option or injectFaults): not a real failure`,
    );
    this.operation = operation;
  }
}

/**
 * A rate limit (`@RateLimit`) refused the call: its budget was spent, and its turn would not come
 * within `wait`. Never retried by `@Retry` (retrying would only spend the budget faster).
 */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  /** Marks the error as permanent for the retry policy. */
  readonly retryable = false;
  /** The limiter that refused the call. */
  readonly limiter: string;
  /** How long until the budget admits a call again, in ms (for a `Retry-After` header). */
  readonly retryAfterMs: number;

  constructor(limiter: string, retryAfterMs: number, limit: number, intervalMs: number) {
    super(
      `rate limit '${limiter}' reached (${limit} calls per ${intervalMs} ms): ` +
        `try again in ${Math.ceil(retryAfterMs)} ms, or raise its limit`,
    );
    this.limiter = limiter;
    this.retryAfterMs = retryAfterMs;
  }
}
