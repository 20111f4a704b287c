import type { Clock } from '../clock';
import { TimeoutError } from '../errors';

/** How a guarded piece of work is bounded. */
export interface TimeoutGuard {
  readonly ms: number;
  readonly operation: string;
  readonly clock: Clock;
  /** Counts a timeout. */
  readonly onTimeout: () => void;
  /** The `cause` to put on the TimeoutError, read when the timer fires. */
  readonly cause?: () => unknown;
}

/**
 * Runs `work(signal)` and settles with it, unless `guard.ms` pass first or `parent` aborts: then
 * it rejects at once (a `TimeoutError`, or the parent's reason) and aborts `signal`, so the work
 * can stop. A late result is ignored and a late rejection is swallowed. The timer and the parent
 * listener are removed as soon as the call settles, whichever way.
 */
export function withGuard<T>(
  work: (signal: AbortSignal) => T | PromiseLike<T>,
  guard: TimeoutGuard,
  parent: AbortSignal | undefined,
): Promise<T> {
  if (parent?.aborted) return Promise.reject(parent.reason);
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      guard.clock.clearTimer(timer);
      parent?.removeEventListener('abort', onParentAbort);
      return true;
    };
    const onParentAbort = (): void => {
      if (!settle()) return;
      controller.abort(parent!.reason);
      reject(parent!.reason);
    };
    const timer = guard.clock.setTimer(
      () => {
        if (!settle()) return;
        const error = new TimeoutError(guard.operation, guard.ms, guard.cause?.());
        guard.onTimeout();
        controller.abort(error);
        reject(error);
      },
      guard.ms,
      false,
    );
    parent?.addEventListener('abort', onParentAbort, { once: true });
    let result: T | PromiseLike<T>;
    try {
      result = work(controller.signal);
    } catch (error) {
      if (settle()) reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        if (settle()) resolve(value);
      },
      (error: unknown) => {
        if (settle()) reject(error);
      },
    );
  });
}
