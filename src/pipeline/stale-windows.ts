import type { StaleEntry } from '../cache/store';
import type { ServiceCache } from '../cache/service-cache';
import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import type { Probe } from '../observability/probe';
import type { Load, MethodShape } from './flight-load';

export interface StaleWindowsConfig {
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  readonly cache: ServiceCache;
  readonly clock: Clock;
  readonly probe: Probe;
  readonly shape: MethodShape;
}

/** What a miss may do with an expired entry still kept for its windows. */
export interface StaleWindows {
  /**
   * Serves an expired entry within `staleWhileRevalidate` (refreshing it in the background), or
   * returns the entry a failure may fall back to within `staleIfError`, or undefined.
   */
  serve(
    key: string,
    thisArg: unknown,
    args: unknown[],
  ): { served: unknown } | StaleEntry | undefined;
  /** The caller's result, with the stale value in place of an error other than its own abort. */
  orStale(result: Promise<unknown>, fallback: StaleEntry): Promise<unknown>;
}

/**
 * The stale windows: an expired entry is kept `max(staleWhileRevalidate, staleIfError)` ms
 * longer, served at once (and refreshed in the background) within the first, served instead of
 * an error within the second. Only a method that returns a Promise gets them.
 */
export function staleWindows(config: StaleWindowsConfig, load: Load): StaleWindows {
  const { staleWhileRevalidate, staleIfError, clock, probe, shape } = config;
  const { local: store, flights } = config.cache;
  const ignore = (): void => {};

  /** Reloads `key` in the background; if it fails, the stale entry stays until its window ends. */
  const refresh = (key: string, thisArg: unknown, args: unknown[]): void => {
    try {
      Promise.resolve(load(key, thisArg, args, true)).catch(ignore);
    } catch {
      // A method that throws before returning its promise fails the refresh the same way.
    }
  };

  return {
    serve(key, thisArg, args) {
      const entry = store.stale(key);
      if (!entry || shape.returnsPromise === false) return undefined;
      const expiredFor = clock.now() - entry.freshUntil;
      if (expiredFor < staleWhileRevalidate) {
        probe.servedWhileRevalidating();
        if (!flights.get(key)) refresh(key, thisArg, args);
        return { served: Promise.resolve(entry.value) };
      }
      return expiredFor < staleIfError ? entry : undefined;
    },
    orStale(result, fallback) {
      const caller = currentCancellation();
      return result.catch((error: unknown) => {
        if (caller?.aborted || clock.now() - fallback.freshUntil >= staleIfError) throw error;
        probe.servedIfError();
        return fallback.value;
      });
    },
  };
}
