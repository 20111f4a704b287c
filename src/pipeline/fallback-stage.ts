import type { Cancellation } from '../cancellation';
import { currentCancellation } from '../context';
import { isThenable } from '../is-thenable';
import type { Probe } from '../observability/probe';
import type { FallbackSpec } from '../resilience/fallback-options';
import type { Stage } from './stage';

/**
 * The outermost policy: a call that fails after every other one (its retries spent, the breaker
 * open, the bulkhead full, a timeout, the rate limit, and past any stale entry `staleIfError`
 * served) returns the fallback instead, unless `on` leaves the error out or the caller aborted
 * (the caller gets its own reason). It sits outside the cache, so a fallback is never cached.
 */
export function fallbackStage(next: Stage, spec: FallbackSpec, probe: Probe): Stage {
  const { to, on } = spec;
  const recover = (
    error: unknown,
    thisArg: unknown,
    args: unknown[],
    caller: Cancellation | undefined,
  ): unknown => {
    if (caller?.aborted || (on !== undefined && !on(error))) throw error;
    probe.fallback(error);
    return typeof to === 'function' ? (to as FallbackFn).call(thisArg, error, args) : to;
  };
  return (thisArg, args) => {
    const caller = currentCancellation();
    let result: unknown;
    try {
      result = next(thisArg, args);
    } catch (error) {
      return recover(error, thisArg, args, caller);
    }
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(undefined, (error: unknown) =>
      recover(error, thisArg, args, caller),
    );
  };
}

type FallbackFn = (this: unknown, error: unknown, args: unknown[]) => unknown;
