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
