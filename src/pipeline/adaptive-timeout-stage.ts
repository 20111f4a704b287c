import { currentCancellation } from '../context';
import { TimeoutError } from '../errors';
import type { LatencyTracker } from '../resilience/latency-tracker';
import { withGuard, type TimeoutGuard } from '../resilience/timeout';
import type { Stage } from './stage';

/**
 * Bounds each attempt by the operation's current adaptive limit, and feeds the tracker: a success
 * with its latency, a timeout with the limit it hit (so a slowing dependency raises the limit).
 * Failures and aborts say nothing reliable about latency and are not recorded.
 */
export function adaptiveTimeoutStage(
  next: Stage,
  base: TimeoutGuard,
  tracker: LatencyTracker,
): Stage {
  const { clock } = base;
  return (thisArg, args) => {
    const ms = tracker.limit();
    const started = clock.now();
    const attempt = withGuard(next, thisArg, args, { ...base, ms }, currentCancellation());
    attempt.then(
      () => tracker.record(clock.now() - started),
      (error: unknown) => {
        if (error instanceof TimeoutError && error.timeoutMs === ms) tracker.record(ms);
      },
    );
    return attempt;
  };
}
