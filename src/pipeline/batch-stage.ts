import type { CachedBatchOptions } from '../cache/cached-batch-options';
import type { TenantMode } from '../cache/cached-options';
import type { ServiceCache } from '../cache/service-cache';
import { MISS, type StaleEntry } from '../cache/store';
import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import { BatchItemsError, type FailedItem } from '../errors';
import type { Probe } from '../observability/probe';
import { PendingBatch, type BatchCollectorConfig } from './batch-collector';
import { assemble, type BatchShape } from './batch-result';
import { CallKeys } from './call-key';
import { cacheWrite } from './cache-write';
import type { Stage } from './stage';

export interface BatchStageConfig {
  readonly operation: string;
  readonly options: CachedBatchOptions;
  readonly tenant: TenantMode;
  /** Resolved TTL (profile, decorator or default): ms, or a function of the item's value. */
  readonly ttl: NonNullable<CachedBatchOptions['ttl']>;
  readonly clock: Clock;
  readonly cache: ServiceCache;
  readonly probe: Probe;
  readonly maxBatchSize: number;
}

/**
 * The cache in front of a bulk method (`@CachedBatch`): each id of a call is an item keyed as
 * `@Cached` keys a call `(id, ...rest)` of the same operation, so single and bulk reads share
 * entries. Hits are served from the in-process tier; an id already in flight (in another batch,
 * or a single `@Cached` call) is joined; the other misses of every call of the same tenant and
 * rest arguments made before the batch flushes go to the method together, deduplicated, in
 * chunks of `maxBatchSize`. The caller gets the method's shape (array aligned with its ids, or
 * a Map of them); an item the result held an `Error` for fails that id only (BatchItemsError).
 */
const ignore = (): void => {};

export function batchStage(next: Stage, config: BatchStageConfig): Stage {
  const { operation, options, cache, probe, clock } = config;
  const { local: store, flights } = cache;
  const { staleWhileRevalidate = 0, staleIfError = 0 } = options;
  const grace = Math.max(staleWhileRevalidate, staleIfError);
  const keys = new CallKeys(operation, config.tenant, undefined);
  const tagsOfItem = options.tags;
  const write = cacheWrite({
    operation,
    options: {
      cacheIf: options.cacheIf,
      tags: tagsOfItem && ((args, value) => tagsOfItem(args[0], value)),
    },
    ttl: config.ttl,
    grace,
    cache,
    probe,
  });
  let shape: BatchShape | undefined = options.returns;
  const itemErrors = new WeakSet<object>();
  const collector: BatchCollectorConfig = {
    operation,
    cache,
    write,
    probe,
    clock: config.clock,
    maxBatchSize: config.maxBatchSize,
    batchWindow: options.batchWindow ?? 0,
    cacheMissing: options.cacheMissing ?? true,
    tagged: tagsOfItem !== undefined,
    onShape: (seen) => (shape = seen),
    itemErrors,
  };
  /** The batches being collected, by tenant and rest arguments (the key of a call of `rest`). */
  const pending = new Map<string, PendingBatch>();

  return function batched(thisArg, args) {
    const ids = args[0];
    if (!Array.isArray(ids)) {
      return Promise.reject(
        new TypeError(`${operation}: @CachedBatch takes an array of ids first, got ${typeof ids}`),
      );
    }
    if (ids.length === 0) return Promise.resolve(shape === 'map' ? new Map() : []);
    const rest = args.slice(1);
    const group = keys.of(rest);
    const itemKeys = group.startsWith('"') || group.startsWith('#') ? keysOf(ids, rest) : group;
    if (typeof itemKeys === 'string') {
      // No tenant where one is required, or an id or argument that cannot be keyed: as @Cached.
      probe.uncached(itemKeys === 'no-tenant' ? 'no-tenant' : 'unkeyable');
      return next(thisArg, args);
    }
    const tenant = keys.tenant;
    const caller = currentCancellation();
    const values = new Array<unknown>(ids.length);
    const waits: Promise<void>[] = [];
    let failures: FailedItem[] | undefined;
    for (let i = 0; i < ids.length; i++) {
      const key = itemKeys[i];
      const hit = store.get(key);
      if (hit !== MISS) {
        probe.hit();
        values[i] = hit;
        continue;
      }
      let fallback: StaleEntry | undefined;
      if (grace > 0) {
        const kept = store.stale(key);
        const expiredFor = kept ? clock.now() - kept.freshUntil : Infinity;
        if (kept && expiredFor < staleWhileRevalidate) {
          probe.servedWhileRevalidating();
          values[i] = kept.value;
          // A background reload; if it fails, the item stays until its window ends.
          if (!flights.get(key)) {
            const batch = batchFor(group, thisArg, rest, tenant);
            void batch.add(ids[i], key).join(undefined).catch(ignore);
          }
          continue;
        }
        if (kept && expiredFor < staleIfError) fallback = kept;
      }
      probe.miss();
      let flight = flights.get(key);
      if (flight) probe.coalesced();
      else flight = batchFor(group, thisArg, rest, tenant).add(ids[i], key);
      waits.push(
        flight.join(caller).then(
          (value) => void (values[i] = value),
          (error: unknown) => {
            if (fallback && !caller?.aborted && clock.now() - fallback.freshUntil < staleIfError) {
              probe.servedIfError();
              values[i] = fallback.value;
              return;
            }
            if (typeof error !== 'object' || error === null || !itemErrors.has(error)) throw error;
            (failures ??= []).push({ id: ids[i], error });
          },
        ),
      );
    }
    const answer = (): unknown => {
      if (failures) throw new BatchItemsError(operation, failures);
      return assemble(shape ?? 'array', ids, values);
    };
    return waits.length === 0 ? Promise.resolve(answer()) : Promise.all(waits).then(answer);
  };

  /** The batch being collected for `group` (a tenant and rest arguments), started if none is. */
  function batchFor(
    group: string,
    thisArg: unknown,
    rest: unknown[],
    tenant: string,
  ): PendingBatch {
    let batch = pending.get(group);
    if (!batch) {
      batch = new PendingBatch(collector, next, thisArg, rest, tenant, () => pending.delete(group));
      pending.set(group, batch);
    }
    return batch;
  }

  /** Each id's item key, or why the call cannot be keyed. */
  function keysOf(ids: readonly unknown[], rest: unknown[]): string[] | string {
    const built: string[] = [];
    for (const id of ids) {
      const key = keys.of([id, ...rest]);
      if (key === 'unkeyable' || key === 'no-tenant') return key;
      built.push(key);
    }
    return built;
  }
}
