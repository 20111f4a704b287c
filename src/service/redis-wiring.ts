import { warnOnDefaultNamespace } from '../cache/redis/namespace-warning';
import { RedisTier } from '../cache/redis/redis-tier';
import { resolveRedisOptions } from '../cache/redis/redis-options';
import type { ServiceCache } from '../cache/service-cache';
import type { Invalidation } from '../cache/store';
import type { ServiceProbe } from '../observability/service-probe';
import type { ExecutionUtilsOptions } from '../options';

const ALL: Invalidation = { kind: 'all' };

/**
 * The Redis tier the options ask for (undefined without `redis`), reporting through the service's
 * probe and dropping from the service's cache what other processes invalidate (and warning
 * through the service's logger when it runs on the default namespace). `cache` is read
 * when a message arrives: the tier is built before the cache that holds it.
 */
export function redisTierFor(
  options: ExecutionUtilsOptions,
  report: ServiceProbe,
  cache: () => ServiceCache | undefined,
): RedisTier | undefined {
  if (options.redis === undefined) return undefined;
  const resolved = resolveRedisOptions(options.redis, options.namespace);
  warnOnDefaultNamespace(resolved.namespace, options.logger);
  const drop = (what: Invalidation, origin: 'remote' | 'reconnect'): void => {
    const local = cache();
    if (local) report.invalidated(what, local.dropLocal(what), origin);
  };
  return new RedisTier(resolved, {
    error: (command, reason, error) => report.remoteError(command, reason, error),
    invalidated: (what) => drop(what, 'remote'),
    resync: () => drop(ALL, 'reconnect'),
    breakerStateChange: (from, to) =>
      report.breakerStateChange(`redis:${resolved.namespace}`, from, to),
  });
}
