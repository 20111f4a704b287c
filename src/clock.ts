/**
 * The one source of time for the library: TTLs, timeouts and retry waits all read it, so tests
 * (and `ManualClock`) can move time without sleeping for real.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  /**
   * Calls `callback` after `ms`. `keepAlive: false` must not keep the process alive (a guard
   * timer); `true` may (a retry wait, which is the call's own pending work).
   */
  setTimer(callback: () => void, ms: number, keepAlive: boolean): unknown;
  /** Cancels a timer from `setTimer`; a no-op for one that already fired. */
  clearTimer(handle: unknown): void;
}

/** Real time: `performance.now()` and Node timers; guard timers are `unref()`ed. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, ms, keepAlive) {
    const timer = setTimeout(callback, ms);
    if (!keepAlive) timer.unref();
    return timer;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
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
    const timer = clock.setTimer(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      ms,
      true,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
