import { signalOf } from '../cancellation';
import { sleep, type Clock } from '../clock';
import { currentCancellation, getExecutionContext } from '../context';
import { RateLimitedError } from '../errors';
import type { Admission } from '../resilience/shared-rate-limiter';
import type { Stage } from './stage';

/**
 * Admits a call through its rate limit, once per call (retries inside do not spend the budget
 * again), before the bulkhead: a refused call takes no slot. A call over the limit waits for its
 * turn up to `wait` ms (the caller's abort or an enclosing deadline ends the wait with their
 * reason), then fails with `RateLimitedError`.
 */
export function rateLimitStage(
  next: Stage,
  limiter: Admission,
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
      retryAfter = await limiter.tryAdmit(budget, now);
      if (retryAfter === 0) return next(thisArg, args);
      if (now + retryAfter > until) return refused(retryAfter);
    }
  };
  /** Goes on, waits or fails, by the budget's answer to a call that asked at `asked`. */
  const decide = (
    thisArg: unknown,
    args: unknown[],
    budget: string,
    asked: number,
    retryAfter: number,
  ): unknown => {
    if (retryAfter === 0) return next(thisArg, args);
    if (clock.now() + retryAfter > asked + wait) return refused(retryAfter);
    return waitForTurn(thisArg, args, budget, asked + wait, retryAfter);
  };
  return (thisArg, args) => {
    const budget = budgetOf();
    const now = clock.now();
    const answer = limiter.tryAdmit(budget, now);
    // In process, the answer is at hand; a limit shared through Redis answers later.
    if (answer === 0) return next(thisArg, args);
    if (typeof answer === 'number') return decide(thisArg, args, budget, now, answer);
    return answer.then((retryAfter) => decide(thisArg, args, budget, now, retryAfter));
  };
}
