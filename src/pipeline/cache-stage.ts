import { cacheKeyBuilder } from '../cache/cache-key';
import { MISS, type MemoryStore } from '../cache/memory-store';
import { Flight, type SingleFlight } from '../cache/single-flight';
import { currentCancellation, currentContextFields, runInScope } from '../context';
import { isThenable } from '../is-thenable';
import type { CachedOptions } from '../decorators/types';
import type { Counters } from '../observability/stats';
import type { Stage } from './stage';

export interface CacheStageConfig {
  readonly operation: string;
  readonly options: CachedOptions;
  readonly ttl: number;
  readonly store: MemoryStore;
  readonly flights: SingleFlight;
  readonly counters: Counters;
  /** true/false when the method is known to return a Promise or not; undefined to learn it. */
  readonly returnsPromise: boolean | undefined;
}

/**
 * The outermost stage: key, lookup, single-flight, then the rest of the pipeline on a miss.
 * A hit returns at once: no timer, no retry machinery, no new context. A call whose arguments
 * cannot be keyed, or that has no tenant where one is required, runs uncached.
 */
export function cacheStage(next: Stage, config: CacheStageConfig): Stage {
  const { operation, store, flights, counters, ttl } = config;
  const { tenant = 'optional', key: keyFn, cacheIf } = config.options;
  let returnsPromise = config.returnsPromise;
  const buildKey = cacheKeyBuilder(operation);

  const keyOf = (args: unknown[]): string | undefined => {
    const ctx = currentContextFields();
    let userId = '';
    let taskId = '';
    if (tenant !== 'shared') {
      userId = ctx?.userId ?? '';
      taskId = ctx?.taskId ?? '';
      if (tenant === 'required' && !userId) return undefined;
    }
    return buildKey(userId, taskId, keyFn ? [keyFn(args, ctx ?? {})] : args);
  };

  const save = (key: string, value: unknown, epoch: number): void => {
    // An entry loaded across a clearCache() belongs to the data before it: drop it.
    if (store.epoch !== epoch) return;
    if (cacheIf && !cacheIf(value)) {
      counters.refused++;
      return;
    }
    store.set(key, value, ttl);
    counters.sets++;
  };

  return function cached(thisArg, args) {
    const key = keyOf(args);
    if (key === undefined) {
      counters.uncached++;
      return next(thisArg, args);
    }
    const hit = store.get(key);
    if (hit !== MISS) {
      counters.hits++;
      return returnsPromise === false ? hit : Promise.resolve(hit);
    }
    counters.misses++;
    const pending = flights.get(key);
    const caller = currentCancellation();
    if (pending) {
      counters.coalesced++;
      return pending.join(caller);
    }
    const epoch = store.epoch;
    // A caller that can cancel runs the work in the flight's own scope, which aborts only once
    // every caller has left; without one, no caller can ever leave, and no scope is needed.
    const flight = new Flight<unknown>(caller !== undefined);
    const result = caller ? runInScope(flight, next, thisArg, args) : next(thisArg, args);
    if (!isThenable(result)) {
      returnsPromise = false;
      save(key, result, epoch);
      return result;
    }
    returnsPromise = true;
    flights.track(key, flight, result, (k, value) => save(k, value, epoch));
    return flight.join(caller);
  };
}
