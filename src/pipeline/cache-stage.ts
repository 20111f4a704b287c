import { MISS } from '../cache/store';
import type { ServiceCache } from '../cache/service-cache';
import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import type { CachedOptions, TenantMode } from '../cache/cached-options';
import type { Probe } from '../observability/probe';
import { CallKeys } from './call-key';
import { cacheWrite } from './cache-write';
import { flightLoad, type MethodShape } from './flight-load';
import type { Stage } from './stage';
import { staleWindows } from './stale-windows';
import { twoTierLoad } from './two-tier-load';

export interface CacheStageConfig {
  readonly operation: string;
  readonly options: CachedOptions;
  /** The decorator's `tenant`, else the service's default. */
  readonly tenant: TenantMode;
  /** Resolved TTL (profile, decorator or default): ms, or a function of the result. */
  readonly ttl: NonNullable<CachedOptions['ttl']>;
  readonly clock: Clock;
  readonly cache: ServiceCache;
  readonly probe: Probe;
  /** true/false when the method is known to return a Promise or not; undefined to learn it. */
  readonly returnsPromise: boolean | undefined;
  /** The XFetch `beta` of `refreshAhead`, or undefined when it is off. */
  readonly refreshBeta: number | undefined;
  /** Random numbers in [0, 1) (the service's `random`), for the early refresh's draw. */
  readonly random: () => number;
}

/**
 * The cache in front of the rest of the pipeline: key, in-process lookup, stale windows,
 * single-flight, then the load on a miss: through the rest of the pipeline alone (the in-memory
 * path), or through the shared tier first (the two-tier path, `twoTierLoad`). A hit returns at
 * once: no timer, no retry machinery, no new context, no tier branch. A call whose arguments
 * cannot be keyed, or that has no tenant where one is required, runs uncached.
 */
const ignore = (): void => {};

export function cacheStage(next: Stage, config: CacheStageConfig): Stage {
  const { operation, cache, probe, clock, options } = config;
  const { local: store, flights, remote } = cache;
  const { staleWhileRevalidate = 0, staleIfError = 0 } = options;
  const grace = Math.max(staleWhileRevalidate, staleIfError);
  const shape: MethodShape = { returnsPromise: config.returnsPromise };
  const keys = new CallKeys(operation, config.tenant, options.key);
  const beta = config.refreshBeta;
  // Early refresh needs each entry's load time.
  const timing = beta === undefined ? undefined : clock;
  const write = cacheWrite({ operation, options, ttl: config.ttl, grace, cache, probe, timing });
  const load = flightLoad(next, {
    operation,
    cache,
    keys,
    write,
    tagged: options.tags !== undefined,
    shape,
    shared: remote && twoTierLoad(next, remote, cache, write, probe),
    timing,
  });
  const { random } = config;
  /**
   * Refreshes `key` in the background, past the caller's signal; a failure leaves the entry. With
   * a shared tier, a newer entry another process stored is taken instead of loading, and only the
   * process holding the key's lock loads.
   */
  const refreshEarly = (key: string, thisArg: unknown, args: unknown[]): void => {
    probe.earlyRefresh();
    const replacing = remote && store.read(key)?.version;
    try {
      Promise.resolve(load(key, thisArg, args, true, replacing)).catch(ignore);
    } catch {
      // A method that throws before returning its promise fails the refresh the same way.
    }
  };
  const stale =
    grace > 0
      ? staleWindows({ staleWhileRevalidate, staleIfError, cache, clock, probe, shape }, load)
      : undefined;

  return function cached(thisArg, args) {
    const key = keys.of(args);
    if (key === 'no-tenant' || key === 'unkeyable') {
      probe.uncached(key);
      return next(thisArg, args);
    }
    const hit = store.get(key);
    if (hit !== MISS) {
      probe.hit();
      if (shape.returnsPromise === false) return hit;
      if (beta !== undefined && store.refreshDue(key, beta, random()) && !flights.get(key)) {
        refreshEarly(key, thisArg, args);
      }
      return Promise.resolve(hit);
    }
    const kept = stale?.serve(key, thisArg, args);
    if (kept && 'served' in kept) return kept.served;
    probe.miss();
    const pending = flights.get(key);
    if (pending) probe.coalesced();
    const result = pending ? pending.join(currentCancellation()) : load(key, thisArg, args, false);
    return kept ? stale!.orStale(result as Promise<unknown>, kept) : result;
  };
}
