import { isAborted, signalOf, type Cancellation } from '../cancellation';
import { TimeoutError } from '../errors';
import type { RetryOptions } from './retry-options';
import { backoffDelay } from './backoff';
import type { RetryBudget } from './retry-budget';
import type { Probe } from '../observability/probe';

/** A fully resolved retry policy: defaults, decorator and operation profile merged. */
export interface RetryPolicy extends RetryOptions {
  readonly operation: string;
  /** Caps retries at a share of the traffic; none when undefined. */
  readonly budget?: RetryBudget;
  /** Where retries, give-ups, spent budgets and missed deadlines are reported. */
  readonly probe: Probe;
}

/** What a retry loop needs from its owner. */
export interface RetryRuntime {
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

/** A total deadline the loop must not wait past. */
export interface Deadline {
  /** Clock time at which the call is over. */
  readonly at: number;
  /** The total budget, for the error message. */
  readonly ms: number;
  /** The error of the last attempt that failed, recorded by the loop: a deadline's `cause`. */
  lastError?: unknown;
}

/**
 * Whether a failed attempt may be retried: never after the caller aborted, never for errors
 * marked `retryable === false` (ConfigError, CacheKeyError, and any user error that says so),
 * and never when `retryOn` refuses.
 */
export function isRetryable(
  error: unknown,
  policy: RetryPolicy,
  cancellation: Cancellation | undefined,
): boolean {
  if (isAborted(cancellation)) return false;
  if (isPermanent(error)) return false;
  return policy.retryOn ? policy.retryOn(error) : true;
}

function isPermanent(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === false
  );
}

/**
 * Calls `fn(thisArg, args)` up to `policy.attempts` times. Rethrows the last error unchanged when
 * attempts run out, the error is not retryable or the retry budget is spent; waits end when
 * `cancellation` aborts. With a `deadline`, a wait that would end past it is not started: the call
 * fails at once with a `TimeoutError` whose `cause` is the error of the attempt that just failed.
 */
export async function retrying<T>(
  fn: (thisArg: unknown, args: unknown[]) => Promise<T>,
  thisArg: unknown,
  args: unknown[],
  policy: RetryPolicy,
  runtime: RetryRuntime,
  cancellation: Cancellation | undefined,
  deadline?: Deadline,
): Promise<T> {
  policy.budget?.recordAttempt();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(thisArg, args);
    } catch (error) {
      if (deadline) deadline.lastError = error;
      if (attempt >= policy.attempts || !isRetryable(error, policy, cancellation)) {
        if (!isAborted(cancellation)) policy.probe.giveUp(attempt, error);
        throw error;
      }
      const delayMs = delayBefore(attempt, error, policy, runtime.random);
      if (deadline && runtime.now() + delayMs >= deadline.at) {
        policy.probe.timeout('total', deadline.ms);
        throw new TimeoutError(policy.operation, deadline.ms, error);
      }
      if (policy.budget && !policy.budget.tryRetry()) {
        policy.probe.budgetExhausted();
        policy.probe.giveUp(attempt, error);
        throw error;
      }
      notify(policy, { attempt, error, delayMs, operation: policy.operation });
      policy.probe.retry(attempt, policy.attempts, delayMs, error);
      // The signal is made only now, on the failure path: a success never pays for one.
      await runtime.sleep(delayMs, signalOf(cancellation));
      // A sleep that ignores the signal must not let an aborted caller's call run again.
      if (cancellation?.aborted) throw cancellation.reason;
    }
  }
}

function notify(policy: RetryPolicy, info: Parameters<NonNullable<RetryOptions['onRetry']>>[0]) {
  try {
    policy.onRetry?.(info);
  } catch {
    // A listener's failure must not change the outcome of the call it observes.
  }
}

/**
 * The wait before the next attempt: the error's own hint (`retryAfter`, by default its
 * `retryAfterMs`, as a server's Retry-After gives it) capped by `maxDelay`, else the backoff.
 */
function delayBefore(
  attempt: number,
  error: unknown,
  policy: RetryPolicy,
  random: () => number,
): number {
  const hint = (policy.retryAfter ?? retryAfterMsOf)(error);
  if (typeof hint === 'number' && hint >= 0) return Math.min(hint, policy.maxDelay);
  return backoffDelay(attempt, policy, random);
}

function retryAfterMsOf(error: unknown): number | undefined {
  const hint =
    typeof error === 'object' && error !== null
      ? (error as { retryAfterMs?: unknown }).retryAfterMs
      : undefined;
  return typeof hint === 'number' ? hint : undefined;
}
