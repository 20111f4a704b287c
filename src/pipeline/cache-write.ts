import type { ServiceCache } from '../cache/service-cache';
import type { CacheEntry } from '../cache/store';
import type { CachedOptions } from '../cache/cached-options';
import type { Clock } from '../clock';
import type { Probe } from '../observability/probe';

const NO_TAGS: readonly string[] = [];

export interface CacheWriteConfig {
  readonly operation: string;
  readonly options: CachedOptions;
  /** Resolved TTL (profile, decorator or default): ms, or a function of the result. */
  readonly ttl: NonNullable<CachedOptions['ttl']>;
  /** How long past its TTL an entry is kept for the stale windows. */
  readonly grace: number;
  readonly cache: ServiceCache;
  readonly probe: Probe;
  /** Set when entries keep their load time (`refreshAhead`): the clock that measures it. */
  readonly timing?: Clock;
}

/**
 * Caches a loaded value in this process, unless `cacheIf`, `ttl(result)` or `tags` refuse it or
 * an invalidation that reaches it came while it loaded (it belongs to the data before that).
 * Returns the entry for the shared tier: undefined without one, or when nothing was cached.
 */
export type CacheWrite = (
  key: string,
  value: unknown,
  /** The invalidation log's stamp when the load started. */
  stamp: number,
  tenant: string,
  args: unknown[],
  /** The clock time the load started (with `timing`): the entry keeps how long it took. */
  startedAt?: number,
  /** Its version in the shared tier (`CacheEntry.version`), when it will be written there. */
  version?: number,
) => CacheEntry | undefined;

export function cacheWrite(config: CacheWriteConfig): CacheWrite {
  const { operation, ttl, grace, probe } = config;
  const { local: store, log, remote } = config.cache;
  const { cacheIf, tags: tagsFn } = config.options;

  /**
   * The TTL to cache `value` for, or undefined to keep it out: `cacheIf` said no, or threw, or
   * `ttl(result)` threw or gave no valid TTL. The caller gets its result either way.
   */
  const admit = (value: unknown): number | undefined => {
    try {
      if (cacheIf && !cacheIf(value)) return undefined;
      if (typeof ttl !== 'function') return ttl;
      const chosen = ttl(value);
      return Number.isInteger(chosen) && chosen >= 0 ? chosen : undefined;
    } catch {
      return undefined;
    }
  };

  /** The result's tags, or undefined when `tags` threw or gave something else than strings. */
  const tagsOf = (args: unknown[], value: unknown): readonly string[] | undefined => {
    if (!tagsFn) return NO_TAGS;
    try {
      const tags = tagsFn(args, value);
      return Array.isArray(tags) && tags.every((t) => typeof t === 'string') ? tags : undefined;
    } catch {
      return undefined;
    }
  };

  const { timing } = config;
  return (key, value, stamp, tenant, args, startedAt, version) => {
    const entryTtl = admit(value);
    const tags = entryTtl === undefined ? undefined : tagsOf(args, value);
    if (entryTtl === undefined || tags === undefined) {
      probe.refused();
      return undefined;
    }
    // The log is asked only when something was invalidated since the load started (rarely).
    if (stamp !== log.stamp() && log.covers(stamp, key, { operation, tenant, tags })) {
      return undefined;
    }
    const freshFor = entryTtl > 0 ? entryTtl : Infinity;
    const delta =
      timing !== undefined && startedAt !== undefined ? timing.now() - startedAt : undefined;
    const entry = {
      value,
      freshFor,
      keptFor: freshFor + grace,
      operation,
      tenant,
      tags,
      delta,
      version,
    };
    store.write(key, entry);
    probe.set();
    return remote ? entry : undefined;
  };
}
