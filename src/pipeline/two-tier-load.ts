import type { RemoteTier } from '../cache/remote-tier';
import type { ServiceCache } from '../cache/service-cache';
import type { CacheEntry } from '../cache/store';
import type { Probe } from '../observability/probe';
import type { CacheWrite } from './cache-write';
import type { Stage } from './stage';

/**
 * The miss path through the shared tier: its entry if another process cached one (copied here
 * for the time it has left), else one process's execution per key across all of them, written
 * to both tiers. Runs inside the key's flight, so one process asks Redis once per cold key.
 */
export function twoTierLoad(
  next: Stage,
  remote: RemoteTier,
  cache: ServiceCache,
  write: CacheWrite,
  probe: Probe,
): (key: string, thisArg: unknown, args: unknown[], stamp: number, tenant: string) => unknown {
  const { local: store, log } = cache;
  return async (key, thisArg, args, stamp, tenant) => {
    // One round trip: the entry if Redis has it, else the key's lock (or the wait for its holder).
    const claim = await remote.claim(key);
    if (claim.kind === 'entry') {
      probe.remoteHit();
      if (!log.covers(stamp, key, claim.entry)) store.write(key, claim.entry);
      return claim.entry.value;
    }
    probe.remoteMiss();
    let entry: CacheEntry | undefined;
    try {
      const value = await next(thisArg, args);
      entry = write(key, value, stamp, tenant, args);
      return value;
    } finally {
      // Not awaited: the caller has its value; the write (or the lock's release) follows.
      void (entry ? remote.write(key, entry, claim.lease) : remote.release(key, claim.lease));
    }
  };
}
