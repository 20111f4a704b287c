import { InvalidationLog } from './invalidation-log';
import type { RemoteTier } from './remote-tier';
import { SingleFlight } from './single-flight';
import type { Invalidation, LocalStore } from './store';

/**
 * One service's cache: the in-process tier, the optional shared tier, the loads in flight and the
 * log that keeps a load from writing back what an invalidation dropped while it ran. Every
 * invalidation, local or received from another process, goes through `dropLocal`.
 */
export class ServiceCache {
  readonly flights = new SingleFlight();
  readonly log = new InvalidationLog();

  constructor(
    readonly local: LocalStore,
    readonly remote: RemoteTier | undefined,
  ) {}

  /**
   * Drops what `what` names here: the entries, and the loads in flight for them (a caller who comes
   * next starts fresh work instead of joining one that may return the old data). Returns how many
   * entries were dropped.
   */
  dropLocal(what: Invalidation): number {
    this.log.record(what);
    this.flights.drop(what);
    return this.local.invalidate(what);
  }

  /** Drops what `what` names in every tier and every process; resolves with the local count. */
  async invalidate(what: Invalidation): Promise<number> {
    const dropped = this.dropLocal(what);
    await this.remote?.invalidate(what);
    return dropped;
  }
}
