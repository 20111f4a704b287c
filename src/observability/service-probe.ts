import type { Invalidation } from '../cache/store';
import type { CircuitState } from '../resilience/circuit-breaker';
import type { EventBus, ExecutionEvents } from './events';
import type { Counters } from './stats';

/**
 * What the service itself reports, outside any operation's pipeline: evictions, the shared
 * tier's errors, invalidations, breaker changes, and the direct cache reads and writes of
 * `getFromCache`/`addToCache`. Like the operations' `Probe`, each report bumps the totals and
 * builds an event payload only when someone listens.
 */
export class ServiceProbe {
  constructor(
    private readonly total: Counters,
    private readonly bus: EventBus,
  ) {}

  /** An entry pushed out by the size bound. */
  evicted(key: string): void {
    this.total.evictions++;
    if (this.bus.active.evict) this.bus.emit('evict', { key });
  }

  /** A shared-tier command that failed, timed out, was refused or read undecodable data. */
  remoteError(
    command: string,
    reason: ExecutionEvents['remoteError']['reason'],
    error?: unknown,
  ): void {
    this.total.remoteErrors++;
    if (reason === 'decode') this.total.remoteDecodeErrors++;
    if (this.bus.active.remoteError) this.bus.emit('remoteError', { command, reason, error });
  }

  /** Entries dropped from this process by an invalidation. */
  invalidated(
    what: Invalidation,
    dropped: number,
    origin: ExecutionEvents['invalidated']['origin'],
  ): void {
    this.total.invalidated += dropped;
    if (this.bus.active.invalidated) {
      this.bus.emit('invalidated', { kind: what.kind, dropped, origin });
    }
  }

  breakerStateChange(breaker: string, from: CircuitState, to: CircuitState): void {
    if (this.bus.active.breakerStateChange) {
      this.bus.emit('breakerStateChange', { breaker, from, to });
    }
  }

  /** A `getFromCache` lookup. */
  directRead(hit: boolean): void {
    if (hit) this.total.hits++;
    else this.total.misses++;
  }

  /** An `addToCache` write. */
  directWrite(): void {
    this.total.sets++;
  }
}
