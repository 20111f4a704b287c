/** Counters the service keeps; `getStats()` returns a snapshot with `hitRate` added. */
export interface Counters {
  /** Cache lookups that found a live entry. */
  hits: number;
  /** Cache lookups that found none (a call that joined an in-flight execution included). */
  misses: number;
  /** Values written to the cache. */
  sets: number;
  /** Entries pushed out by the size bound. */
  evictions: number;
  /** Misses that joined an execution already in flight instead of starting one. */
  coalesced: number;
  /** Calls that ran without the cache: arguments that cannot be keyed, or no tenant where one is required. */
  uncached: number;
  /** Results `cacheIf` refused to cache. */
  refused: number;
  /** `@CachedBatch` method calls (each for the missing ids of one or more callers). */
  batches: number;
  /** Ids those method calls were made for. */
  batchItems: number;
  /** Calls that ran the method's pipeline: every call but a hit or one that joined a flight. */
  executions: number;
  /** Waits followed by another attempt. */
  retries: number;
  /** Calls or attempts ended by a timeout or deadline. */
  timeouts: number;
  /** Failures returned without a retry because the retry budget was spent. */
  budgetExhausted: number;
  /** Attempts refused at once by an open circuit breaker. */
  circuitRejections: number;
  /** Calls refused at once by a full bulkhead. */
  bulkheadRejections: number;
  /** Calls refused by a rate limit (`@RateLimit`), after any wait for their turn. */
  rateLimited: number;
  /** Attempts started beside a slow one (`@Hedge`). */
  hedges: number;
  /** Failed calls that returned their `@Fallback` instead. */
  fallbacks: number;
  /** Failures and delays injected by `faults` (fault injection). */
  faultsInjected: number;
  /** Expired entries served at once while a background refresh runs (stale-while-revalidate). */
  staleHits: number;
  /** Expired entries served instead of an error (stale-if-error). */
  staleIfError: number;
  /** Background refreshes a hit started before its entry expired (`refreshAhead`). */
  earlyRefreshes: number;
  /** Misses in this process served from the shared (Redis) tier. */
  remoteHits: number;
  /** Misses in this process the shared tier could not serve either. */
  remoteMisses: number;
  /** Shared-tier commands that failed, timed out or were refused by its open breaker (totals only). */
  remoteErrors: number;
  /** Shared-tier entries that could not be decoded: read as misses (totals only). */
  remoteDecodeErrors: number;
  /** Entries dropped from this process by invalidations, local or from another process (totals only). */
  invalidated: number;
}

export interface Stats extends Counters {
  /** hits / (hits + misses), 0 before any lookup. */
  hitRate: number;
}

export function newCounters(): Counters {
  return {
    hits: 0,
    misses: 0,
    sets: 0,
    evictions: 0,
    coalesced: 0,
    uncached: 0,
    refused: 0,
    batches: 0,
    batchItems: 0,
    executions: 0,
    retries: 0,
    timeouts: 0,
    budgetExhausted: 0,
    circuitRejections: 0,
    bulkheadRejections: 0,
    rateLimited: 0,
    hedges: 0,
    fallbacks: 0,
    faultsInjected: 0,
    staleHits: 0,
    staleIfError: 0,
    earlyRefreshes: 0,
    remoteHits: 0,
    remoteMisses: 0,
    remoteErrors: 0,
    remoteDecodeErrors: 0,
    invalidated: 0,
  };
}

export function snapshot(c: Counters): Stats {
  const lookups = c.hits + c.misses;
  return { ...c, hitRate: lookups === 0 ? 0 : c.hits / lookups };
}

/**
 * The service's counters: in total, and per operation. A probe bumps both (two increments on the
 * hit path); totals also hold what has no operation (evictions, `getFromCache`/`addToCache`).
 */
export class StatsBook {
  readonly total: Counters = newCounters();
  private readonly operations = new Map<string, Counters>();

  /** The counters of `operation`, created on first use. */
  of(operation: string): Counters {
    let counters = this.operations.get(operation);
    if (!counters) {
      counters = newCounters();
      this.operations.set(operation, counters);
    }
    return counters;
  }

  /** Operations that have counters, in the order they were first seen. */
  operationNames(): string[] {
    return [...this.operations.keys()];
  }

  /** A snapshot in total, or of one operation (all zeros for one never seen). */
  snapshot(operation?: string): Stats {
    if (operation === undefined) return snapshot(this.total);
    return snapshot(this.operations.get(operation) ?? newCounters());
  }
}
