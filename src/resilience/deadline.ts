import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import { retrying, type Deadline, type RetryPolicy, type RetryRuntime } from './retry';
import { isUnlimited, withGuard } from './timeout';

/**
 * Retries `attempt` under ONE deadline of `ms` over the whole call: the running attempt and any
 * wait are aborted when it passes, no wait is started that would end past it, and the call
 * rejects with `TimeoutError` whose `cause` is the error of the last attempt that failed before
 * the deadline (read when the timer fires, so the attempt it aborts adds none; none at all if the
 * first attempt was still running). `0` or `Infinity`: no deadline (the retries alone bound the
 * call).
 */
export function retryWithinDeadline<T>(
  attempt: (thisArg: unknown, args: unknown[]) => Promise<T>,
  thisArg: unknown,
  args: unknown[],
  ms: number,
  policy: RetryPolicy,
  runtime: RetryRuntime,
  clock: Clock,
  onTimeout: (timeoutMs: number) => void,
): Promise<T> {
  const deadline: Deadline | undefined = isUnlimited(ms) ? undefined : { at: clock.now() + ms, ms };
  return withGuard(
    // Inside the guard, the current cancellation is the deadline's: waits end with it.
    (t, a) => retrying(attempt, t, a, policy, runtime, currentCancellation(), deadline),
    thisArg,
    args,
    { ms, operation: policy.operation, clock, onTimeout, cause: () => deadline?.lastError },
    currentCancellation(),
  );
}
