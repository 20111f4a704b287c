import * as entry from '../src';
import { Bulkhead } from '../src/decorators/bulkhead';
import { Cached } from '../src/decorators/cached';
import { CircuitBreaker } from '../src/decorators/circuit-breaker';
import { Retry } from '../src/decorators/retry';
import { Timeout } from '../src/decorators/timeout';
import * as errors from '../src/errors';
import { ExecutionUtils } from '../src/execution-utils';

// src/index.ts holds re-exports only: what it exports at run time is the public surface.
describe('the main entry point', () => {
  it('exports exactly the public values, nothing internal', () => {
    expect(Object.keys(entry).sort()).toEqual(
      [
        'BatchItemsError',
        'Bulkhead',
        'BulkheadRejectedError',
        'CALL_CHANNEL_NAME',
        'CacheKeyError',
        'Cached',
        'CachedBatch',
        'CircuitBreaker',
        'CircuitOpenError',
        'ConfigError',
        'ExecutionUtils',
        'Fallback',
        'Hedge',
        'InjectedFaultError',
        'RateLimit',
        'RateLimitedError',
        'ManualClock',
        'Retry',
        'Timeout',
        'TimeoutError',
        'UnencodableValueError',
        'currentSignal',
        'getExecutionContext',
        'runWithContext',
        'systemClock',
      ].sort(),
    );
  });

  it("re-exports the modules' own values, not copies", () => {
    expect(entry.ExecutionUtils).toBe(ExecutionUtils);
    expect([
      entry.Cached,
      entry.Retry,
      entry.Timeout,
      entry.CircuitBreaker,
      entry.Bulkhead,
    ]).toEqual([Cached, Retry, Timeout, CircuitBreaker, Bulkhead]);
    expect(entry.ConfigError).toBe(errors.ConfigError);
    expect(entry.TimeoutError).toBe(errors.TimeoutError);
  });

  it('exports every error class errors.ts defines', () => {
    const errorClasses = Object.entries(errors)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([name]) => name);
    for (const name of errorClasses) expect(entry).toHaveProperty(name);
  });

  it('makes decorated methods resolve the service once loaded, with no setup', async () => {
    class Repo {
      calls = 0;

      @entry.Cached()
      async get(): Promise<number> {
        return ++this.calls;
      }
    }
    const repo = new Repo();
    await repo.get();
    await expect(repo.get()).resolves.toBe(1);
  });
});
