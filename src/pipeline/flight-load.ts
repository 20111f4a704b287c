import type { ServiceCache } from '../cache/service-cache';
import type { Clock } from '../clock';
import { Flight } from '../cache/single-flight';
import { currentCancellation, runDetached, runInScope } from '../context';
import { isThenable } from '../is-thenable';
import type { CallKeys } from './call-key';
import type { CacheWrite } from './cache-write';
import type { Stage } from './stage';

/** Whether the method returns a Promise: known from its declaration, else learned on a load. */
export interface MethodShape {
  returnsPromise: boolean | undefined;
}

/**
 * Loads a key through the rest of the pipeline: in the caller's frame, or `detached` from it.
 * `replacing`: an early refresh of a copy of that version (`CacheEntry.version`).
 */
export type Load = (
  key: string,
  thisArg: unknown,
  args: unknown[],
  detached: boolean,
  replacing?: number,
) => unknown;

/** Loads a key through the shared tier, as `flight`'s work (see `twoTierLoad`). */
export type SharedLoad = (
  key: string,
  thisArg: unknown,
  args: unknown[],
  flight: Flight<unknown>,
) => unknown;

export interface FlightLoadConfig {
  readonly operation: string;
  readonly cache: ServiceCache;
  readonly keys: CallKeys;
  readonly write: CacheWrite;
  /** Whether entries get tags (any tag invalidation then reaches the flight). */
  readonly tagged: boolean;
  readonly shape: MethodShape;
  /** The two-tier path; undefined for the in-memory one. */
  readonly shared: SharedLoad | undefined;
  /** Set when loads are timed (`refreshAhead`): the clock their entries' load time is read on. */
  readonly timing?: Clock;
}

/**
 * Starts one flight per key: the work runs once, every concurrent miss of the key joins it, and
 * its result is cached on success. A caller that can cancel runs the work in the flight's own
 * scope, which aborts only once every caller has left; without one, no caller can ever leave,
 * and no scope is needed. The shared tier is async: only a method known to return a Promise
 * loads through it.
 */
export function flightLoad(next: Stage, config: FlightLoadConfig): Load {
  const { operation, keys, write, tagged, shape, shared, timing } = config;
  const { flights, log } = config.cache;
  const save = (key: string, value: unknown, flight: Flight<unknown>): void =>
    void write(key, value, flight.stamp, flight.tenant, flight.args, flight.startedAt);
  return (key, thisArg, args, detached, replacing) => {
    const tenant = keys.tenant;
    const caller = detached ? undefined : currentCancellation();
    const stamp = log.stamp();
    const flight = new Flight<unknown>(
      caller !== undefined,
      operation,
      tenant,
      tagged,
      stamp,
      args,
    );
    if (timing) flight.startedAt = timing.now();
    flight.replacing = replacing;
    flight.background = detached;
    const work: Stage =
      shared && shape.returnsPromise === true ? (t, a) => shared(key, t, a, flight) : next;
    const result = caller
      ? runInScope(flight, work, thisArg, args)
      : detached
        ? runDetached(work, thisArg, args)
        : work(thisArg, args);
    if (!isThenable(result)) {
      shape.returnsPromise = false;
      write(key, result, stamp, tenant, args, flight.startedAt);
      return result;
    }
    shape.returnsPromise = true;
    // The two-tier path writes both tiers itself.
    flights.track(key, flight, result, work === next ? save : undefined);
    return flight.join(caller);
  };
}
