// opossum ships no typings and @types/opossum is not installed: just what the bench uses.
declare module 'opossum' {
  interface CircuitBreakerOptions {
    timeout?: number | false;
    cache?: boolean;
    cacheTTL?: number;
    cacheSize?: number;
    cacheGetKey?: (...args: unknown[]) => string;
    coalesce?: boolean;
    coalesceTTL?: number;
    coalesceSize?: number;
    coalesceResetOn?: Array<'error' | 'success' | 'timeout'>;
  }

  class CircuitBreaker<TArgs extends unknown[] = unknown[], TResult = unknown> {
    constructor(action: (...args: TArgs) => Promise<TResult>, options?: CircuitBreakerOptions);
    fire(...args: TArgs): Promise<TResult>;
    shutdown(): void;
  }

  export = CircuitBreaker;
}
