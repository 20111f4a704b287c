import type { CircuitState } from '../resilience/circuit-breaker';
import type { Invalidation } from '../cache/store';

/** Which limit a timeout hit: one attempt's (`@Timeout`), or the whole call's deadline. */
export type TimeoutScope = 'attempt' | 'total';

/** Why a call ran without the cache. */
export type UncachedReason = 'unkeyable' | 'no-tenant';

/**
 * Everything a call reports, by event name, with its payload. Every payload names the operation
 * (`Class.method`, a `@Cached` name or a `wrap` name), never a tenant or an argument.
 */
export interface ExecutionEvents {
  /** A cache lookup found a live entry (a stale entry served while revalidating included). */
  hit: { operation: string };
  /** A cache lookup found none; the call joins or starts an execution. */
  miss: { operation: string };
  /** A miss that joined an execution already in flight. */
  coalesced: { operation: string };
  /** A result was written to the cache. */
  set: { operation: string };
  /** A hit started a background refresh of its entry before it expired (`refreshAhead`). */
  earlyRefresh: { operation: string };
  /** A `@CachedBatch` method was called for `size` ids (its misses, deduplicated). */
  batch: { operation: string; size: number };
  /** The size bound pushed an entry out. */
  evict: { key: string };
  /** A call ran without the cache. */
  uncached: { operation: string; reason: UncachedReason };
  /** A result was kept out of the cache (`cacheIf`, or a `ttl(result)` that gave no TTL). */
  refused: { operation: string };
  /** An expired entry was served: at once while a refresh runs, or instead of an error. */
  staleServed: { operation: string; kind: 'while-revalidate' | 'if-error' };
  /** An attempt failed and another follows after `delayMs`. */
  retry: { operation: string; attempt: number; attempts: number; delayMs: number; error: unknown };
  /** The last attempt failed (or the error was not retryable): the call fails with `error`. */
  giveUp: { operation: string; attempts: number; error: unknown };
  /** An attempt or a whole call ran out of time. */
  timeout: { operation: string; scope: TimeoutScope; timeoutMs: number };
  /** A circuit breaker changed state. */
  breakerStateChange: { breaker: string; from: CircuitState; to: CircuitState };
  /** An open (or saturated half-open) breaker refused an attempt. */
  breakerRejected: { operation: string; breaker: string };
  /** A full bulkhead refused a call. */
  bulkheadRejected: { operation: string; bulkhead: string };
  /** A rate limit refused a call (`RateLimitedError`); it would admit one in `retryAfterMs`. */
  rateLimited: { operation: string; limiter: string; retryAfterMs: number };
  /** An attempt ran past its hedge delay: the `hedge`-th attempt beside it started (`@Hedge`). */
  hedge: { operation: string; hedge: number };
  /** A call failed with `error` after every other policy and returned its `@Fallback` instead. */
  fallback: { operation: string; error: unknown };
  /**
   * Fault injection failed an attempt (`'error'`) or delayed it by `delayMs` (`'latency'`); a
   * delayed attempt that then fails reports both.
   */
  faultInjected: { operation: string; kind: 'error' | 'latency'; delayMs: number };
  /** A failure was returned without a retry because the retry budget was spent. */
  budgetExhausted: { operation: string };
  /** The method's pipeline ran (not a hit): how long it took and whether it succeeded. */
  executed: { operation: string; durationMs: number; ok: boolean };
  /** A miss here was served from the shared (Redis) tier. */
  remoteHit: { operation: string };
  /** A miss here was not in the shared tier either. */
  remoteMiss: { operation: string };
  /**
   * A shared-tier command failed, timed out, was refused by the tier's open breaker
   * (`'breaker-open'`), read data it could not decode (`'decode'`), or could not store a value
   * the codec cannot restore (`'encode'`, kept in process only): the call went on without it.
   */
  remoteError: {
    command: string;
    reason: 'error' | 'timeout' | 'breaker-open' | 'decode' | 'encode';
    error?: unknown;
  };
  /**
   * Entries were dropped from this process: by a call here (`origin: 'local'`), by a message from
   * another process (`'remote'`), or all at once after missing messages while disconnected
   * (`'reconnect'`).
   */
  invalidated: {
    kind: Invalidation['kind'];
    dropped: number;
    origin: 'local' | 'remote' | 'reconnect';
  };
}

export type ExecutionEventName = keyof ExecutionEvents;

/** Every event name, to validate `on(event)` from JavaScript. */
export const EVENT_NAMES: readonly ExecutionEventName[] = [
  'hit',
  'miss',
  'coalesced',
  'set',
  'batch',
  'earlyRefresh',
  'evict',
  'uncached',
  'refused',
  'staleServed',
  'retry',
  'giveUp',
  'timeout',
  'breakerStateChange',
  'breakerRejected',
  'bulkheadRejected',
  'rateLimited',
  'hedge',
  'fallback',
  'faultInjected',
  'budgetExhausted',
  'executed',
  'remoteHit',
  'remoteMiss',
  'remoteError',
  'invalidated',
];
export type ExecutionListener<E extends ExecutionEventName> = (payload: ExecutionEvents[E]) => void;

type ListenerLists = { [E in ExecutionEventName]?: readonly ExecutionListener<E>[] };

/**
 * The one observation point of a service: stages report to it, and subscribers (counters aside)
 * listen. An event nobody listens to costs one property read: `active[name]` is checked before
 * a payload is even built. A listener that throws is ignored: observing a call never changes it.
 */
export class EventBus {
  /** Whether anyone listens to each event: read on the hot path before building a payload. */
  readonly active: { [E in ExecutionEventName]?: true } = {};
  private readonly lists: ListenerLists = {};

  on<E extends ExecutionEventName>(event: E, listener: ExecutionListener<E>): void {
    // Copy on write: an emit in progress keeps iterating the list it started with.
    (this.lists as Record<E, readonly ExecutionListener<E>[]>)[event] = [
      ...(this.lists[event] ?? []),
      listener,
    ];
    this.active[event] = true;
  }

  off<E extends ExecutionEventName>(event: E, listener: ExecutionListener<E>): void {
    const list = this.lists[event];
    if (!list) return;
    const index = list.indexOf(listener);
    if (index < 0) return;
    const rest = [...list.slice(0, index), ...list.slice(index + 1)];
    (this.lists as Record<E, readonly ExecutionListener<E>[]>)[event] = rest;
    if (rest.length === 0) delete this.active[event];
  }

  emit<E extends ExecutionEventName>(event: E, payload: ExecutionEvents[E]): void {
    const list = this.lists[event];
    if (!list) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch {
        // A subscriber's failure must not change the call it observes.
      }
    }
  }
}
