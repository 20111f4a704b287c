import {
  checkIntegerInRange,
  checkNonNegativeMs,
  checkOneOf,
  fail,
  optional,
  optionKeys,
} from '../validation';
import { SlidingWindow } from './sliding-window';

/** Settings of a rate limiter (a profile's `rateLimit` may set any of them). */
export interface RateLimiterOptions {
  /** Calls admitted in any window of `intervalMs`. An integer from 1 to 1,000,000. */
  limit?: number;
  /** The window, in ms: a whole number > 0. Default 1,000. */
  intervalMs?: number;
  /**
   * How many of the `limit` calls may go at once: at most `burst` in any `intervalMs * burst /
   * limit` ms. Default `limit` (the whole budget at once after a quiet window); lower spreads the
   * calls out (1: evenly, one every `intervalMs / limit` ms).
   */
  burst?: number;
  /**
   * `'operation'` (default): one budget for every call. `'tenant'`: one budget per `userId` of
   * the call's context (calls without one share a budget of their own), so one tenant's flood
   * does not spend another's.
   */
  scope?: 'operation' | 'tenant';
  /**
   * Longest a call over the limit waits for its turn, in ms, before it fails with
   * `RateLimitedError`. Default 0: it fails at once. The caller's abort and an enclosing deadline
   * end the wait.
   */
  wait?: number;
}

/** The settings a limiter runs with, defaults applied. */
export type RateLimiterSettings = Required<RateLimiterOptions>;

/** The keys of {@link RateLimiterOptions} (a decorator's options add `name` and `shared`). */
export const RATE_LIMITER_OPTION_KEYS = optionKeys<RateLimiterOptions>({
  limit: true,
  intervalMs: true,
  burst: true,
  scope: true,
  wait: true,
});

const MAX_LIMIT = 1_000_000;
/** Node's timers fire at once past 2^31 - 1 ms. */
const MAX_MS = 2 ** 31 - 1;

/** Checks rate-limiter settings; `where` prefixes the option in errors. Unset ones are fine. */
export function validateRateLimiterOptions(o: RateLimiterOptions, where: string): void {
  optional(checkIntegerInRange(1, MAX_LIMIT))(`${where}.limit`, o.limit);
  optional(checkIntegerInRange(1, MAX_MS))(`${where}.intervalMs`, o.intervalMs);
  optional(checkIntegerInRange(1, MAX_LIMIT))(`${where}.burst`, o.burst);
  optional(checkOneOf(['operation', 'tenant']))(`${where}.scope`, o.scope);
  optional(checkNonNegativeMs)(`${where}.wait`, o.wait);
  if (o.wait !== undefined && o.wait > MAX_MS)
    fail(`${where}.wait`, o.wait, `at most ${MAX_MS} ms`);
  if (o.burst !== undefined && o.limit !== undefined && o.burst > o.limit) {
    fail(`${where}.burst`, o.burst, `at most limit (${o.limit})`);
  }
}

/** Settings with defaults applied; `limit` must have been given (the spec or a profile). */
export function rateLimiterSettings(o: RateLimiterOptions, where: string): RateLimiterSettings {
  if (o.limit === undefined) fail(`${where}.limit`, undefined, 'an integer from 1 to 1000000');
  const limit = o.limit;
  const burst = Math.min(o.burst ?? limit, limit);
  return {
    limit,
    intervalMs: o.intervalMs ?? 1_000,
    burst,
    scope: o.scope ?? 'operation',
    wait: o.wait ?? 0,
  };
}

/** Budgets kept before idle ones are looked for and dropped. */
const SWEEP_AT = 1_024;

/**
 * One named rate limit in this process: a sliding window per budget (one, or one per tenant).
 * A tenant's window is dropped once it has been idle for a whole interval (it would admit
 * anything by then), so budgets for many tenants stay bounded by the ones active lately.
 */
export class RateLimiter {
  private readonly windows = new Map<string, SlidingWindow>();
  private sweepAt = SWEEP_AT;

  constructor(
    readonly name: string,
    readonly settings: RateLimiterSettings,
  ) {}

  /** Admits a call of `budget` at `now` (0), or returns the ms until it would be admitted. */
  tryAdmit(budget: string, now: number): number {
    let window = this.windows.get(budget);
    if (!window) {
      if (this.windows.size >= this.sweepAt) this.sweep(now);
      const { limit, intervalMs, burst } = this.settings;
      window = new SlidingWindow(limit, intervalMs, burst);
      this.windows.set(budget, window);
    }
    return window.tryAdmit(now);
  }

  /** Budgets held (idle ones not yet dropped included). */
  get budgets(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    const idleBefore = now - this.settings.intervalMs;
    for (const [budget, window] of this.windows) {
      if (window.latest <= idleBefore) this.windows.delete(budget);
    }
    this.sweepAt = Math.max(SWEEP_AT, 2 * this.windows.size);
  }
}
