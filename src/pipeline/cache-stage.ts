import { cacheKeyBuilder } from '../cache/cache-key';
import { MISS, type StaleEntry } from '../cache/memory-store';
import { Flight } from '../cache/single-flight';
import type { ServiceCache } from '../cache/service-cache';
import type { CacheEntry } from '../cache/store';
import { currentCancellation, currentContextFields, runDetached, runInScope } from '../context';
import { isThenable } from '../is-thenable';
import type { CachedOptions, TenantMode } from '../decorators/types';
import type { Probe } from '../observability/probe';
import type { Stage } from './stage';
import type { Clock } from '../clock';
import type { ExecutionContext } from '../context';

const NO_TAGS: readonly string[] = [];
const noop = (): void => {};

/** What a throwing `key` function stands for: a symbol, which no cache key can encode. */
const UNKEYABLE = Symbol('execution-utils.unkeyable');

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
}

/**
 * The outermost stage: key, lookup, single-flight, then the rest of the pipeline on a miss.
 * A hit returns at once: no timer, no retry machinery, no new context. A call whose arguments
 * cannot be keyed, or that has no tenant where one is required, runs uncached. With stale
 * windows, an expired entry is kept `max(staleWhileRevalidate, staleIfError)` ms longer: served
 * at once (and refreshed in the background) within the first, served instead of an error within
 * the second.
 */
export function cacheStage(next: Stage, config: CacheStageConfig): Stage {
  const { operation, cache, probe, ttl, clock, tenant } = config;
  const { local: store, flights, log, remote } = cache;
  const { key: keyFn, cacheIf, tags: tagsFn } = config.options;
  const { staleWhileRevalidate = 0, staleIfError = 0 } = config.options;
  const grace = Math.max(staleWhileRevalidate, staleIfError);
  let returnsPromise = config.returnsPromise;
  const buildKey = cacheKeyBuilder(operation);

  /** The tenant of the key `keyOf` built last, read by `load` before anything else runs. */
  let keyTenant = '';

  /** The call's key, or why it has none (an UncachedReason: never a key, which starts with " or #). */
  const keyOf = (args: unknown[]): string => {
    const ctx = currentContextFields();
    let userId = '';
    let taskId = '';
    if (tenant !== 'shared') {
      userId = keyTenant = ctx?.userId ?? '';
      taskId = ctx?.taskId ?? '';
      if (tenant === 'required' && !userId) return 'no-tenant';
    } else keyTenant = '';
    return buildKey(userId, taskId, keyFn ? [keyOfCall(args, ctx)] : args) ?? 'unkeyable';
  };

  /** The user's `key` function; one that throws makes the call unkeyable (it runs uncached). */
  const keyOfCall = (args: unknown[], ctx: ExecutionContext | undefined): unknown => {
    try {
      return keyFn!(args, ctx ?? {});
    } catch {
      return UNKEYABLE;
    }
  };

  /**
   * Caches a loaded value in this process, unless an invalidation that reaches it came while it
   * loaded (it belongs to the data before that). Returns the entry for the shared tier: undefined
   * without one, or when nothing was cached.
   */
  const save = (
    key: string,
    value: unknown,
    stamp: number,
    userId: string,
    args: unknown[],
  ): CacheEntry | undefined => {
    const entryTtl = admit(value);
    const tags = entryTtl === undefined ? undefined : tagsOf(args, value);
    if (entryTtl === undefined || tags === undefined) {
      probe.refused();
      return undefined;
    }
    // The log is asked only when something was invalidated since the load started (rarely).
    if (stamp !== log.stamp() && log.covers(stamp, key, { operation, tenant: userId, tags })) {
      return undefined;
    }
    const freshFor = entryTtl > 0 ? entryTtl : Infinity;
    const entry = { value, freshFor, keptFor: freshFor + grace, operation, tenant: userId, tags };
    store.write(key, entry);
    probe.set();
    return remote ? entry : undefined;
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

  /** Starts one flight for `key`: the work in `scope` (or the caller's frame), saved on success. */
  const load = (key: string, thisArg: unknown, args: unknown[], detached: boolean): unknown => {
    const userId = keyTenant;
    const caller = detached ? undefined : currentCancellation();
    const stamp = log.stamp();
    // A caller that can cancel runs the work in the flight's own scope, which aborts only once
    // every caller has left; without one, no caller can ever leave, and no scope is needed.
    const flight = new Flight<unknown>(
      caller !== undefined,
      operation,
      userId,
      tagsFn !== undefined,
    );
    // The shared tier is async: only a method known to return a Promise can wait for it.
    const work: Stage =
      remote && returnsPromise === true ? (t, a) => loadShared(key, t, a, stamp, userId) : next;
    const result = caller
      ? runInScope(flight, work, thisArg, args)
      : detached
        ? runDetached(work, thisArg, args)
        : work(thisArg, args);
    if (!isThenable(result)) {
      returnsPromise = false;
      save(key, result, stamp, userId, args);
      return result;
    }
    returnsPromise = true;
    const onValue =
      work === next
        ? (k: string, value: unknown) => void save(k, value, stamp, userId, args)
        : noop;
    flights.track(key, flight, result, onValue);
    return flight.join(caller);
  };

  /**
   * The miss path through the shared tier: its entry if another process cached one (copied here
   * for the time it has left), else one process's execution per key across all of them.
   */
  const loadShared = async (
    key: string,
    thisArg: unknown,
    args: unknown[],
    stamp: number,
    userId: string,
  ): Promise<unknown> => {
    const shared = remote!;
    // One round trip: the entry if Redis has it, else the key's lock (or the wait for its holder).
    const claim = await shared.claim(key);
    if (claim.kind === 'entry') {
      probe.remoteHit();
      if (!log.covers(stamp, key, claim.entry)) store.write(key, claim.entry);
      return claim.entry.value;
    }
    probe.remoteMiss();
    let entry: CacheEntry | undefined;
    try {
      const value = await next(thisArg, args);
      entry = save(key, value, stamp, userId, args);
      return value;
    } finally {
      // Not awaited: the caller has its value; the write (or the lock's release) follows.
      void (entry ? shared.write(key, entry, claim.lease) : shared.release(key, claim.lease));
    }
  };

  /** Reloads `key` in the background; if it fails, the stale entry stays until its window ends. */
  const refresh = (key: string, thisArg: unknown, args: unknown[]): void => {
    const ignore = (): void => {};
    try {
      Promise.resolve(load(key, thisArg, args, true)).catch(ignore);
    } catch {
      // A method that throws before returning its promise fails the refresh the same way.
    }
  };

  /** Serves an expired entry within its windows, or says which fallback a miss may use. */
  const serveStale = (
    key: string,
    thisArg: unknown,
    args: unknown[],
  ): { served: unknown } | StaleEntry | undefined => {
    const entry = store.stale(key);
    if (!entry || returnsPromise === false) return undefined;
    const expiredFor = clock.now() - entry.freshUntil;
    if (expiredFor < staleWhileRevalidate) {
      probe.servedWhileRevalidating();
      if (!flights.get(key)) refresh(key, thisArg, args);
      return { served: Promise.resolve(entry.value) };
    }
    return expiredFor < staleIfError ? entry : undefined;
  };

  /** The caller's result, with the stale value in place of an error other than its own abort. */
  const orStale = (result: Promise<unknown>, fallback: StaleEntry): Promise<unknown> => {
    const caller = currentCancellation();
    return result.catch((error: unknown) => {
      if (caller?.aborted || clock.now() - fallback.freshUntil >= staleIfError) throw error;
      probe.servedIfError();
      return fallback.value;
    });
  };

  return function cached(thisArg, args) {
    const key = keyOf(args);
    // A built key always starts with '"' or '#', so it is never mistaken for a reason.
    if (key === 'no-tenant' || key === 'unkeyable') {
      probe.uncached(key);
      return next(thisArg, args);
    }
    const hit = store.get(key);
    if (hit !== MISS) {
      probe.hit();
      return returnsPromise === false ? hit : Promise.resolve(hit);
    }
    const stale = grace > 0 ? serveStale(key, thisArg, args) : undefined;
    if (stale && 'served' in stale) return stale.served;
    probe.miss();
    const pending = flights.get(key);
    if (pending) probe.coalesced();
    const result = pending ? pending.join(currentCancellation()) : load(key, thisArg, args, false);
    return stale ? orStale(result as Promise<unknown>, stale) : result;
  };
}
