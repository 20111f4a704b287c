import type { Clock } from '../clock';
import type { Counters } from './stats';
import type { EventBus, TimeoutScope, UncachedReason } from './events';
import { currentCallTrace, type CacheOutcome, type CallTraceContext } from './call-trace';

/**
 * What one operation's stages report through: each report bumps the operation's counters and
 * the service's totals, and builds an event payload only when someone listens to that event.
 * Made once per operation when its pipeline is compiled, so a report costs no lookup. Each
 * report names its counters in the code: one shared `bump(name)` made every counter write a
 * megamorphic keyed store (~4 % of a miss).
 */
export class Probe {
  constructor(
    readonly operation: string,
    /** The service's clock, to time executions with. */
    readonly clock: Clock,
    private readonly own: Counters,
    private readonly total: Counters,
    private readonly bus: EventBus,
  ) {}

  /**
   * The trace context of this operation's call whose synchronous part is running now, while
   * someone traces (set and restored by the trace stage). A cache outcome is decided before the
   * first await, so a field read here is all an untraced hit pays.
   */
  callTrace: CallTraceContext | undefined = undefined;

  /** Whether anyone listens to `executed` (timing a call costs two clock reads). */
  get timed(): boolean {
    return this.bus.active.executed === true;
  }

  hit(): void {
    this.own.hits++;
    this.total.hits++;
    if (this.callTrace !== undefined) this.callTrace.cache = 'hit';
    if (this.bus.active.hit) this.bus.emit('hit', { operation: this.operation });
  }

  miss(): void {
    this.own.misses++;
    this.total.misses++;
    if (this.callTrace !== undefined) this.callTrace.cache = 'miss';
    if (this.bus.active.miss) this.bus.emit('miss', { operation: this.operation });
  }

  coalesced(): void {
    this.own.coalesced++;
    this.total.coalesced++;
    if (this.callTrace !== undefined) this.callTrace.cache = 'coalesced';
    if (this.bus.active.coalesced) this.bus.emit('coalesced', { operation: this.operation });
  }

  /** A hit started an early refresh of its entry (`refreshAhead`). */
  earlyRefresh(): void {
    this.own.earlyRefreshes++;
    this.total.earlyRefreshes++;
    if (this.bus.active.earlyRefresh) this.bus.emit('earlyRefresh', { operation: this.operation });
  }

  /** A batched method call for `size` ids (`@CachedBatch`). */
  batch(size: number): void {
    this.own.batches++;
    this.total.batches++;
    this.own.batchItems += size;
    this.total.batchItems += size;
    if (this.bus.active.batch) this.bus.emit('batch', { operation: this.operation, size });
  }

  set(): void {
    this.own.sets++;
    this.total.sets++;
    if (this.bus.active.set) this.bus.emit('set', { operation: this.operation });
  }

  /** A miss here found the entry in the shared tier (another process cached it). */
  remoteHit(): void {
    this.own.remoteHits++;
    this.total.remoteHits++;
    if (this.bus.active.remoteHit) this.bus.emit('remoteHit', { operation: this.operation });
  }

  /** A miss here found no entry in the shared tier either. */
  remoteMiss(): void {
    this.own.remoteMisses++;
    this.total.remoteMisses++;
    if (this.bus.active.remoteMiss) this.bus.emit('remoteMiss', { operation: this.operation });
  }

  uncached(reason: UncachedReason): void {
    this.own.uncached++;
    this.total.uncached++;
    if (this.callTrace !== undefined) this.callTrace.cache = 'uncached';
    if (this.bus.active.uncached) {
      this.bus.emit('uncached', { operation: this.operation, reason });
    }
  }

  refused(): void {
    this.own.refused++;
    this.total.refused++;
    if (this.bus.active.refused) this.bus.emit('refused', { operation: this.operation });
  }

  /** A stale entry served at once while it is refreshed: a hit too. */
  servedWhileRevalidating(): void {
    this.own.staleHits++;
    this.total.staleHits++;
    this.hit();
    if (this.callTrace !== undefined) this.callTrace.cache = 'stale';
    this.staleServed('while-revalidate');
  }

  /** A stale entry served instead of an error. */
  servedIfError(): void {
    this.own.staleIfError++;
    this.total.staleIfError++;
    // After the failure, past the call's synchronous part: its trace travels in the async context.
    this.annotateAsync('stale');
    this.staleServed('if-error');
  }

  retry(attempt: number, attempts: number, delayMs: number, error: unknown): void {
    this.own.retries++;
    this.total.retries++;
    if (this.bus.active.retry) {
      const operation = this.operation;
      this.bus.emit('retry', { operation, attempt, attempts, delayMs, error });
    }
  }

  giveUp(attempts: number, error: unknown): void {
    if (this.bus.active.giveUp) {
      this.bus.emit('giveUp', { operation: this.operation, attempts, error });
    }
  }

  timeout(scope: TimeoutScope, timeoutMs: number): void {
    this.own.timeouts++;
    this.total.timeouts++;
    if (this.bus.active.timeout) {
      this.bus.emit('timeout', { operation: this.operation, scope, timeoutMs });
    }
  }

  budgetExhausted(): void {
    this.own.budgetExhausted++;
    this.total.budgetExhausted++;
    if (this.bus.active.budgetExhausted) {
      this.bus.emit('budgetExhausted', { operation: this.operation });
    }
  }

  breakerRejected(breaker: string): void {
    this.own.circuitRejections++;
    this.total.circuitRejections++;
    if (this.bus.active.breakerRejected) {
      this.bus.emit('breakerRejected', { operation: this.operation, breaker });
    }
  }

  bulkheadRejected(bulkhead: string): void {
    this.own.bulkheadRejections++;
    this.total.bulkheadRejections++;
    if (this.bus.active.bulkheadRejected) {
      this.bus.emit('bulkheadRejected', { operation: this.operation, bulkhead });
    }
  }

  /** The rate limit `limiter` refused a call; it would admit one in `retryAfterMs`. */
  rateLimited(limiter: string, retryAfterMs: number): void {
    this.own.rateLimited++;
    this.total.rateLimited++;
    if (this.bus.active.rateLimited) {
      this.bus.emit('rateLimited', { operation: this.operation, limiter, retryAfterMs });
    }
  }

  /** The `n`-th hedge of an attempt started (`@Hedge`). */
  hedge(n: number): void {
    this.own.hedges++;
    this.total.hedges++;
    if (this.bus.active.hedge) this.bus.emit('hedge', { operation: this.operation, hedge: n });
  }

  /** A failed call returned its fallback instead of `error`. */
  fallback(error: unknown): void {
    this.own.fallbacks++;
    this.total.fallbacks++;
    if (this.bus.active.fallback) this.bus.emit('fallback', { operation: this.operation, error });
  }

  /** Fault injection failed an attempt, or delayed it by `delayMs`. */
  faultInjected(kind: 'error' | 'latency', delayMs: number): void {
    this.own.faultsInjected++;
    this.total.faultsInjected++;
    if (this.bus.active.faultInjected) {
      this.bus.emit('faultInjected', { operation: this.operation, kind, delayMs });
    }
  }

  /** The method's pipeline is about to run (not a hit). */
  execution(): void {
    this.own.executions++;
    this.total.executions++;
  }

  executed(durationMs: number, ok: boolean): void {
    this.bus.emit('executed', { operation: this.operation, durationMs, ok });
  }

  private staleServed(kind: 'while-revalidate' | 'if-error'): void {
    if (this.bus.active.staleServed) {
      this.bus.emit('staleServed', { operation: this.operation, kind });
    }
  }

  private annotateAsync(cache: CacheOutcome): void {
    const trace = currentCallTrace();
    if (trace !== undefined && trace.operation === this.operation) trace.cache = cache;
  }
}
