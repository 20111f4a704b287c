import { cacheKeyBuilder } from '../cache/cache-key';
import { MISS, type MemoryStore, type StaleEntry } from '../cache/memory-store';
import { Flight, type SingleFlight } from '../cache/single-flight';
import { currentCancellation, currentContextFields, runDetached, runInScope } from '../context';
import { isThenable } from '../is-thenable';
import type { CachedOptions, TenantMode } from '../decorators/types';
import type { Probe } from '../observability/probe';
import type { Stage } from './stage';
import type { Clock } from '../clock';
import type { ExecutionContext } from '../context';

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
  readonly store: MemoryStore;
  readonly flights: SingleFlight;
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
  const { operation, store, flights, probe, ttl, clock, tenant } = config;
  const { key: keyFn, cacheIf } = config.options;
  const { staleWhileRevalidate = 0, staleIfError = 0 } = config.options;
  const grace = Math.max(staleWhileRevalidate, staleIfError);
  let returnsPromise = config.returnsPromise;
  const buildKey = cacheKeyBuilder(operation);

  /** The call's key, or why it has none (an UncachedReason: never a key, which starts with " or #). */
  const keyOf = (args: unknown[]): string => {
    const ctx = currentContextFields();
    let userId = '';
    let taskId = '';
    if (tenant !== 'shared') {
      userId = ctx?.userId ?? '';
      taskId = ctx?.taskId ?? '';
      if (tenant === 'required' && !userId) return 'no-tenant';
    }
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

  const save = (key: string, value: unknown, epoch: number): void => {
    // An entry loaded across a clearCache() belongs to the data before it: drop it.
    if (store.epoch !== epoch) return;
    const entryTtl = admit(value);
    if (entryTtl === undefined) {
      probe.refused();
      return;
    }
    store.set(key, value, entryTtl, grace);
    probe.set();
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
    const caller = detached ? undefined : currentCancellation();
    const epoch = store.epoch;
    // A caller that can cancel runs the work in the flight's own scope, which aborts only once
    // every caller has left; without one, no caller can ever leave, and no scope is needed.
    const flight = new Flight<unknown>(caller !== undefined);
    const result = caller
      ? runInScope(flight, next, thisArg, args)
      : detached
        ? runDetached(next, thisArg, args)
        : next(thisArg, args);
    if (!isThenable(result)) {
      returnsPromise = false;
      save(key, result, epoch);
      return result;
    }
    returnsPromise = true;
    flights.track(key, flight, result, (k, value) => save(k, value, epoch));
    return flight.join(caller);
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
