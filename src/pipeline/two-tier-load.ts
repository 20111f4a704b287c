import type { RemoteTier } from '../cache/remote-tier';
import type { ServiceCache } from '../cache/service-cache';
import type { Flight } from '../cache/single-flight';
import type { CacheEntry } from '../cache/store';
import type { Probe } from '../observability/probe';
import type { CacheWrite } from './cache-write';
import type { Stage } from './stage';

/**
 * The miss path through the shared tier: its entry if another process cached one (copied here
 * for the time it has left), else one process's execution per key across all of them, written
 * to both tiers. Runs inside the key's flight, so one process asks Redis once per cold key. An
 * invalidation that drops the flight while it holds the key's lock releases the lock at once:
 * the result will not be written, and the callers who come next, here or in another process,
 * start fresh work instead of waiting for it.
 */
export function twoTierLoad(
  next: Stage,
  remote: RemoteTier,
  cache: ServiceCache,
  write: CacheWrite,
  probe: Probe,
): (key: string, thisArg: unknown, args: unknown[], flight: Flight<unknown>) => unknown {
  const { local: store, log } = cache;
  return async (key, thisArg, args, flight) => {
    const { stamp, tenant } = flight;
    // One round trip: the entry if Redis has it (a newer one than the copy an early refresh
    // replaces), else the key's lock (or the wait for its holder).
    const claim = await remote.claim(key, flight.replacing);
    // remoteHits and remoteMisses split misses: a background load's lookup is none.
    const counted = !flight.background;
    if (claim.kind === 'entry') {
      if (counted) probe.remoteHit();
      if (!log.covers(stamp, key, claim.entry)) store.write(key, claim.entry);
      return claim.entry.value;
    }
    if (counted) probe.remoteMiss();
    const { lease } = claim;
    let released = false;
    const letGo = (): void => {
      released = true;
      void remote.release(key, lease);
    };
    // Dropped already (while claiming), or when an invalidation comes.
    if (!flight.tracked) letGo();
    else flight.onDropped = letGo;
    let entry: CacheEntry | undefined;
    try {
      const value = await next(thisArg, args);
      // Its version in Redis will be the lease's fence (a lease of no fence stores nothing).
      const version = lease.fence > 0 ? lease.fence : undefined;
      entry = write(key, value, stamp, tenant, args, flight.startedAt, version);
      return value;
    } finally {
      flight.onDropped = undefined;
      // Not awaited: the caller has its value; the write (or the lock's release) follows.
      if (entry) void remote.write(key, entry, lease);
      else if (!released) letGo();
    }
  };
}
