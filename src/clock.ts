import { SystemTimer } from './system-timer';

/**
 * The one source of time for the library: TTLs, timeouts and retry waits all read it, so tests
 * (and `ManualClock`) can move time without sleeping for real.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  /**
   * Calls `callback` after `ms` (any finite duration, also past Node's 2^31-1 ms timer limit).
   * The timer keeps the process alive: a caller awaiting a timed call must see its outcome, as
   * with `asyncio.wait_for`. The library clears every timer as soon as its call settles.
   */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer from `setTimer`; a no-op for one that already fired. */
  clearTimer(handle: unknown): void;
}

/** Real time: `performance.now()` and Node timers (chained past Node's timer limit). */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => new SystemTimer(callback, ms),
  clearTimer(handle) {
    (handle as SystemTimer).clear();
  },
};

/**
 * Resolves after `ms` on `clock`, or rejects with `signal.reason` as soon as `signal` aborts.
 * The timer and the abort listener are both gone once it settles.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimer(timer);
      reject(signal!.reason);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
