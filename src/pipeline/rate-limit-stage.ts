import { signalOf } from '../cancellation';
import { sleep, type Clock } from '../clock';
import { currentCancellation, getExecutionContext } from '../context';
import { RateLimitedError } from '../errors';
import type { RateLimiter } from '../resilience/rate-limiter';
import type { Stage } from './stage';

/**
 * Admits a call through its rate limit, once per call (retries inside do not spend the budget
 * again), before the bulkhead: a refused call takes no slot. A call over the limit waits for its
 * turn up to `wait` ms (the caller's abort or an enclosing deadline ends the wait with their
 * reason), then fails with `RateLimitedError`.
 */
export function rateLimitStage(
  next: Stage,
  limiter: RateLimiter,
  clock: Clock,
  onLimited: (retryAfterMs: number) => void,
): Stage {
  const { scope, wait, limit, intervalMs } = limiter.settings;
  const budgetOf = (): string =>
    scope === 'tenant' ? String(getExecutionContext()?.userId ?? '') : '';
  const refused = (retryAfterMs: number): Promise<never> => {
    onLimited(retryAfterMs);
    return Promise.reject(new RateLimitedError(limiter.name, retryAfterMs, limit, intervalMs));
  };
  /** Waits for the budget's turn while `wait` lasts, then goes on, or fails. */
  const waitForTurn = async (
    thisArg: unknown,
    args: unknown[],
    budget: string,
    until: number,
    retryAfter: number,
  ): Promise<unknown> => {
    for (;;) {
      await sleep(clock, retryAfter, signalOf(currentCancellation()));
      const now = clock.now();
      retryAfter = limiter.tryAdmit(budget, now);
      if (retryAfter === 0) return next(thisArg, args);
      if (now + retryAfter > until) return refused(retryAfter);
    }
  };
  return (thisArg, args) => {
    const budget = budgetOf();
    const now = clock.now();
    const retryAfter = limiter.tryAdmit(budget, now);
    if (retryAfter === 0) return next(thisArg, args);
    if (retryAfter > wait) return refused(retryAfter);
    return waitForTurn(thisArg, args, budget, now + wait, retryAfter);
  };
}
