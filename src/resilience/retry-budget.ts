import type { Clock } from '../clock';
import {
  checkKnownKeys,
  checkNonNegativeNumber,
  checkPositiveMs,
  optionKeys,
  optional,
} from '../validation';
import { SlidingCounts } from './sliding-counts';

/**
 * Limits retries to a share of the traffic, so that an outage does not multiply the load on the
 * failing service by the number of attempts (a retry storm). Defaults: 20 % of first attempts plus
 * 10 retries per second, over a 10 s sliding window.
 */
export interface RetryBudgetOptions {
  /**
   * Retries allowed per first attempt within the window, as a fraction: 0.2 lets 20 retries run
   * for every 100 new calls. A finite number >= 0. Default 0.2 (20 %).
   */
  ratio?: number;
  /**
   * Retries always allowed per second, whatever the traffic, so that a quiet service can still
   * retry; it is granted per window (`minPerSecond * windowMs / 1000` retries per window), not
   * spread evenly over each second. A finite number >= 0. Default 10.
   */
  minPerSecond?: number;
  /**
   * Length of the sliding window, in ms: attempts and retries older than this stop counting.
   * A finite number > 0. Default 10_000 (10 s).
   */
  windowMs?: number;
}

/** The defaults of {@link RetryBudgetOptions}. */
const DEFAULTS = { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 } as const;

const RETRY_BUDGET_OPTION_KEYS = optionKeys<RetryBudgetOptions>({
  ratio: true,
  minPerSecond: true,
  windowMs: true,
});

/**
 * Validates retry-budget options (an unknown key included); throws `ConfigError` naming the first bad one as
 * `${where}.ratio`, `${where}.minPerSecond` or `${where}.windowMs`. Unset options are fine.
 */
export function validateRetryBudgetOptions(o: RetryBudgetOptions, where: string): void {
  checkKnownKeys(where, o, RETRY_BUDGET_OPTION_KEYS);
  optional(checkNonNegativeNumber)(`${where}.ratio`, o.ratio);
  optional(checkNonNegativeNumber)(`${where}.minPerSecond`, o.minPerSecond);
  optional(checkPositiveMs)(`${where}.windowMs`, o.windowMs);
}

/**
 * A retry budget (as in gRPC and Finagle): within a sliding window, a retry is allowed while
 * `retries < ratio * firstAttempts + minPerSecond * windowMs / 1000`. Call `recordAttempt()` once
 * per new call and `tryRetry()` before each retry; stop retrying when it returns `false`.
 *
 * Memory is bounded whatever the rate: the window is 10 buckets of `windowMs / 10` ms, each
 * holding two counters, aligned on multiples of `windowMs / 10` of the clock. An attempt or retry
 * therefore stops counting between `0.9 * windowMs` and `windowMs` after it happened (when its
 * bucket leaves the window), never later. Both methods are O(1) (at most 10 buckets are cleared
 * when time has moved on).
 *
 * Under a full outage (every attempt fails), the calls reaching the failing service over any
 * stretch of time are at most `(1 + ratio) * firstAttempts` plus, per window in that stretch,
 * `minPerSecond * windowMs / 1000 + 1` (the `+ 1` because one retry may cross the fractional
 * limit): the test suite proves and checks this bound.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.1 }, systemClock);
 * budget.recordAttempt();
 * // ...the attempt failed:
 * if (budget.tryRetry()) retryTheCall();
 * else throw lastError; // the budget is spent: fail fast instead of adding load
 */
export class RetryBudget {
  private readonly ratio: number;
  /** Retries allowed per window whatever the traffic: `minPerSecond * windowMs / 1000`. */
  private readonly floor: number;
  private readonly clock: Clock;
  /** First attempts (`first`) and granted retries (`second`) in the window. */
  private readonly counts: SlidingCounts;
  private refused = 0;

  /**
   * @param options ratio, floor and window; unset ones take their defaults. Invalid ones throw
   *   `ConfigError` naming `RetryBudget.<option>`.
   * @param clock the time source that moves the window (`ManualClock` in tests).
   */
  constructor(options: RetryBudgetOptions, clock: Clock) {
    validateRetryBudgetOptions(options, 'RetryBudget');
    const minPerSecond = options.minPerSecond ?? DEFAULTS.minPerSecond;
    const windowMs = options.windowMs ?? DEFAULTS.windowMs;
    this.ratio = options.ratio ?? DEFAULTS.ratio;
    this.floor = (minPerSecond * windowMs) / 1000;
    this.clock = clock;
    this.counts = new SlidingCounts(windowMs);
  }

  /** Records a first attempt (a new call, not a retry): it earns `ratio` retries for the window. */
  recordAttempt(): void {
    this.counts.add(this.clock.now(), 1, 0);
  }

  /**
   * Asks to spend one retry. Returns `true`, and counts the retry, when within the sliding window
   * `retries so far < ratio * firstAttempts + minPerSecond * windowMs / 1000`; otherwise returns
   * `false` and counts a refusal in {@link exhausted}.
   */
  tryRetry(): boolean {
    const now = this.clock.now();
    const { counts } = this;
    counts.slide(now);
    if (counts.second < this.ratio * counts.first + this.floor) {
      counts.add(now, 0, 1);
      return true;
    }
    this.refused++;
    return false;
  }

  /** Retries refused so far (since construction, not per window). */
  get exhausted(): number {
    return this.refused;
  }
}
