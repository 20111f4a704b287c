import type { RemoteHealth } from '../cache/remote-tier';
import { VERSION } from '../version';
import type { HealthRates } from './health-window';
import type { ServiceCore } from './service-core';

export interface HealthReport {
  /**
   * `'degraded'` while the Redis tier is down or its breaker open (calls still succeed, from
   * memory or by running the method, but the processes no longer share a cache); `'unhealthy'`
   * once closed.
   */
  status: 'healthy' | 'degraded' | 'unhealthy';
  /** `Date.now()` when the report was made. */
  timestamp: number;
  cacheSize: number;
  version: string;
  error?: string;
  /**
   * The four rates the original alerted on, over the last minute (`HealthRates`), so a service
   * without Prometheus can alert too: hit rate < 0.8, timeout rate > 0.05, retry rate > 0.1,
   * memory usage > 0.9.
   */
  rates: HealthRates;
  /** Each cache tier: the in-process one, and Redis when configured (with its round trip). */
  tiers: {
    memory: { status: 'up' | 'off'; size: number };
    redis?: RemoteHealth & { errors: number };
  };
}

export interface MemoryStats {
  cacheSize: number;
  maxCacheSize: number;
  /**
   * The bytes held by cache entries: the exact sum charged with `cacheMaxBytes`, else an
   * estimate made by walking the entries (bounded per entry; getters are never run).
   */
  cacheMemoryBytes: number;
  /**
   * Bytes the store reserves up front for `maxCacheSize` slots (32 B each; 8 B more once an
   * entry of a `refreshAhead` method is written, and 8 B more once such an entry has a Redis
   * version), held even while the cache is empty.
   */
  reservedBytes: number;
  /** Entries that will expire (TTL not 0). */
  ttlEntries: number;
  /** Bytes of the `'tinylfu'` admission sketch and its per-slot key hashes (0 with `'lru'`). */
  admissionBytes: number;
}

/** Whether the service can serve, tier by tier. */
export async function health(core: ServiceCore): Promise<HealthReport> {
  const { store, closed } = core;
  const remote = closed ? undefined : core.cache?.remote;
  const report: HealthReport = {
    status: closed ? 'unhealthy' : 'healthy',
    timestamp: Date.now(),
    cacheSize: store?.size ?? 0,
    version: VERSION,
    rates: core.health.rates(core.stats.total, memoryUsage(core)),
    tiers: { memory: { status: store && !closed ? 'up' : 'off', size: store?.size ?? 0 } },
  };
  if (remote) {
    const redis = await remote.health();
    report.tiers.redis = { ...redis, errors: core.stats.total.remoteErrors };
    if (redis.status === 'down' || redis.breaker === 'open') report.status = 'degraded';
  }
  if (closed) report.error = 'ExecutionUtils is closed';
  return report;
}

/** The cache's bytes over `cacheMaxBytes` (exact: charged per entry), or null without a bound. */
function memoryUsage(core: ServiceCore): number | null {
  const max = core.options.cacheMaxBytes;
  return max === undefined || !core.store ? null : core.store.estimateBytes() / max;
}

/** The cache's size and an estimate of the memory its entries hold (walks the entries). */
export function memoryStats(core: ServiceCore): MemoryStats {
  const { store } = core;
  return {
    cacheSize: store?.size ?? 0,
    maxCacheSize: core.options.l1Size,
    cacheMemoryBytes: store?.estimateBytes() ?? 0,
    reservedBytes: store?.reservedBytes ?? 0,
    ttlEntries: store?.ttlEntries() ?? 0,
    admissionBytes: store?.admissionBytes ?? 0,
  };
}
