import type { Clock } from '../clock';
import { CircuitOpenError, ConfigError } from '../errors';
import { SlidingCounts } from './sliding-counts';
import {
  checkFraction,
  checkFunction,
  checkMultiplier,
  checkNonNegativeMs,
  checkPositiveInteger,
  checkPositiveMs,
  optionKeys,
  optional,
} from '../validation';

/**
 * When a circuit breaker stops letting calls through, and how it finds out that the dependency
 * has recovered. Every duration is in milliseconds of the breaker's `Clock`.
 */
export interface CircuitBreakerOptions {
  /**
   * Trips (closed -> open) after this many counted failures in a row; an integer >= 1. A success
   * resets the streak. Default 5.
   */
  consecutiveFailures?: number;
  /**
   * Also trips when failures / calls over the last `windowMs` reach this fraction, in (0, 1],
   * once the window holds at least `minimumCalls` calls. Default: undefined (off: only
   * `consecutiveFailures` trips the breaker, and no clock is read on the closed hot path).
   */
  failureRateThreshold?: number;
  /**
   * Calls the window must hold before `failureRateThreshold` is checked; an integer >= 1.
   * Default 10.
   */
  minimumCalls?: number;
  /**
   * Length of the sliding window for `failureRateThreshold`, in ms (> 0). Default 60_000. It is
   * kept as 10 time buckets of `windowMs / 10` each, so memory is fixed whatever the call rate:
   * a call never counts longer than `windowMs`, and always counts for at least `0.9 * windowMs`.
   */
  windowMs?: number;
  /**
   * How long the breaker stays open before it lets a trial call through (half-open), in ms
   * (>= 0). Default 30_000.
   */
  halfOpenAfter?: number;
  /**
   * Each failed half-open trial multiplies the open period by this (>= 1), up to
   * `maxHalfOpenAfter`; it is back to `halfOpenAfter` once the breaker closes.
   * Default 1 (no backoff).
   */
  halfOpenBackoff?: number;
  /**
   * Upper bound of the open period that `halfOpenBackoff` grows, in ms (>= 0). Default 300_000.
   * It never shortens `halfOpenAfter` itself: the effective cap is the larger of the two.
   */
  maxHalfOpenAfter?: number;
  /** Trial calls let through at the same time while half-open; an integer >= 1. Default 1. */
  halfOpenMaxCalls?: number;
  /**
   * Decides whether an error counts as the dependency's failure. Errors it refuses (say, a 404 or
   * a validation error) count as successes: the dependency answered. An error it throws itself
   * counts the original error as a failure. Default: every error is a failure.
   */
  isFailure?: (error: unknown) => boolean;
}

/** The defaults of {@link CircuitBreakerOptions} (`failureRateThreshold` is off by default). */
/**
 * The keys of {@link CircuitBreakerOptions}, for the callers that refuse unknown ones (a
 * decorator's options add `name`; the breaker itself is built from resolved settings).
 */
export const CIRCUIT_BREAKER_OPTION_KEYS = optionKeys<CircuitBreakerOptions>({
  consecutiveFailures: true,
  failureRateThreshold: true,
  minimumCalls: true,
  windowMs: true,
  halfOpenAfter: true,
  halfOpenBackoff: true,
  maxHalfOpenAfter: true,
  halfOpenMaxCalls: true,
  isFailure: true,
});

export const CIRCUIT_BREAKER_DEFAULTS = {
  consecutiveFailures: 5,
  minimumCalls: 10,
  windowMs: 60_000,
  halfOpenAfter: 30_000,
  halfOpenBackoff: 1,
  maxHalfOpenAfter: 300_000,
  halfOpenMaxCalls: 1,
} as const;

/**
 * `'closed'`: calls go through. `'open'`: calls are refused. `'half-open'`: the open period is
 * over and up to `halfOpenMaxCalls` trial calls may go through to test the dependency.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

declare const permitBrand: unique symbol;

/**
 * What {@link CircuitBreaker.acquire} hands out and the outcome methods take back: a plain number
 * (the breaker's state generation), so a closed breaker allocates nothing per call. Report each
 * permit exactly once, with `success`, `failure` or `release`.
 */
export type Permit = number & { readonly [permitBrand]: true };

/**
 * Validates circuit breaker options; throws `ConfigError` naming the first bad option as
 * `${where}.option`, e.g. `operations.payments.circuitBreaker.windowMs`. Undefined options are
 * left to their defaults.
 */
export function validateCircuitBreakerOptions(o: CircuitBreakerOptions, where: string): void {
  optional(checkPositiveInteger)(`${where}.consecutiveFailures`, o.consecutiveFailures);
  optional(checkFraction(true))(`${where}.failureRateThreshold`, o.failureRateThreshold);
  optional(checkPositiveInteger)(`${where}.minimumCalls`, o.minimumCalls);
  optional(checkPositiveMs)(`${where}.windowMs`, o.windowMs);
  optional(checkNonNegativeMs)(`${where}.halfOpenAfter`, o.halfOpenAfter);
  optional(checkMultiplier)(`${where}.halfOpenBackoff`, o.halfOpenBackoff);
  optional(checkNonNegativeMs)(`${where}.maxHalfOpenAfter`, o.maxHalfOpenAfter);
  optional(checkPositiveInteger)(`${where}.halfOpenMaxCalls`, o.halfOpenMaxCalls);
  optional(checkFunction)(`${where}.isFailure`, o.isFailure);
  if (
    o.halfOpenAfter !== undefined &&
    o.maxHalfOpenAfter !== undefined &&
    o.maxHalfOpenAfter < o.halfOpenAfter
  ) {
    throw new ConfigError(
      `${where}.maxHalfOpenAfter`,
      `maxHalfOpenAfter (${o.maxHalfOpenAfter}) must not be less than ` +
        `halfOpenAfter (${o.halfOpenAfter})`,
    );
  }
}

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
type Mode = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
const STATE_NAMES: Record<Mode, CircuitState> = {
  [CLOSED]: 'closed',
  [OPEN]: 'open',
  [HALF_OPEN]: 'half-open',
};

/**
 * Stops calling a failing dependency for a while, then lets a few trial calls test it. The caller
 * drives it around each attempt: `acquire()` before (it throws `CircuitOpenError` when the call
 * must not go out), then exactly one of `success`, `failure` or `release` with the permit.
 *
 * - closed: trips to open after `consecutiveFailures` failures in a row, or when the failure rate
 *   over `windowMs` reaches `failureRateThreshold` (with at least `minimumCalls` calls).
 * - open: refuses calls for the open period (`halfOpenAfter`, grown by `halfOpenBackoff` after
 *   each failed trial, up to `maxHalfOpenAfter`), then is half-open. The breaker sets no timers:
 *   `state` and `acquire()` read the clock.
 * - half-open: lets `halfOpenMaxCalls` concurrent trials through and refuses the rest
 *   (`retryAfterMs` 0). The first trial success closes the breaker (counters cleared, open period
 *   back to `halfOpenAfter`); the first trial failure opens it again with the grown open period.
 *   Outcomes of the other trials of that round then arrive stale and are ignored.
 *
 * Every state change starts a new generation, and a permit is the generation it was acquired in.
 * An outcome reported with a permit of an earlier generation is stale (it describes the
 * dependency before the breaker's latest decision) and is ignored: it neither counts towards
 * tripping, nor closes or re-opens a half-open breaker, nor frees a trial slot.
 */
export class CircuitBreaker {
  /** The circuit's name, used in `CircuitOpenError` messages. */
  readonly name: string;
  private readonly clock: Clock;
  private readonly consecutiveFailures: number;
  private readonly window: FailureWindow | undefined;
  private readonly halfOpenAfter: number;
  private readonly halfOpenBackoff: number;
  private readonly maxOpenPeriod: number;
  private readonly halfOpenMaxCalls: number;
  private readonly isFailure: ((error: unknown) => boolean) | undefined;

  private mode: Mode = CLOSED;
  private generation = 1;
  /** Counted failures in a row while closed. */
  private streak = 0;
  /** Clock time at which an open breaker turns half-open; `Infinity` while isolated. */
  private openUntil = 0;
  /** The open period of the next trip, in ms. */
  private openPeriod: number;
  /** Trial permits of the current half-open generation not yet reported. */
  private trials = 0;

  /**
   * Validates `options` (a `ConfigError` names them as `CircuitBreaker(name).option`) and starts
   * closed. The breaker only reads `clock.now()`; it never sets a timer. `onStateChange` hears
   * each change of the state it reports (an open breaker is seen to turn half-open when a call
   * next asks for a permit).
   */
  constructor(
    name: string,
    options: CircuitBreakerOptions,
    clock: Clock,
    private readonly onStateChange: (from: CircuitState, to: CircuitState) => void = () => {},
  ) {
    validateCircuitBreakerOptions(options, `CircuitBreaker(${name})`);
    const d = CIRCUIT_BREAKER_DEFAULTS;
    this.name = name;
    this.clock = clock;
    this.consecutiveFailures = options.consecutiveFailures ?? d.consecutiveFailures;
    this.halfOpenAfter = options.halfOpenAfter ?? d.halfOpenAfter;
    this.halfOpenBackoff = options.halfOpenBackoff ?? d.halfOpenBackoff;
    this.maxOpenPeriod = Math.max(
      this.halfOpenAfter,
      options.maxHalfOpenAfter ?? d.maxHalfOpenAfter,
    );
    this.halfOpenMaxCalls = options.halfOpenMaxCalls ?? d.halfOpenMaxCalls;
    this.isFailure = options.isFailure;
    this.openPeriod = this.halfOpenAfter;
    this.window =
      options.failureRateThreshold === undefined
        ? undefined
        : new FailureWindow(
            options.windowMs ?? d.windowMs,
            options.failureRateThreshold,
            options.minimumCalls ?? d.minimumCalls,
          );
  }

  /**
   * The state now. An open breaker whose open period has passed reports `'half-open'` even before
   * anyone calls `acquire()`; an isolated breaker reports `'open'` until `reset()`.
   */
  get state(): CircuitState {
    if (this.mode === CLOSED) return 'closed';
    if (this.mode === HALF_OPEN) return 'half-open';
    return this.clock.now() >= this.openUntil ? 'half-open' : 'open';
  }

  /**
   * Call before each attempt. Returns a permit to report the outcome with, or throws
   * `CircuitOpenError`: while open (`retryAfterMs` = ms until half-open, `Infinity` when
   * isolated) or while half-open with all `halfOpenMaxCalls` trials in flight (`retryAfterMs` 0).
   * On a closed breaker it does not read the clock and allocates nothing.
   */
  acquire(): Permit {
    if (this.mode === CLOSED) return this.generation as Permit;
    if (this.mode === OPEN) {
      const now = this.clock.now();
      if (now < this.openUntil)
        throw new CircuitOpenError(this.name, Math.ceil(this.openUntil - now));
      this.enter(HALF_OPEN);
    }
    if (this.trials >= this.halfOpenMaxCalls) throw new CircuitOpenError(this.name, 0);
    this.trials++;
    return this.generation as Permit;
  }

  /**
   * Reports that the attempt of `permit` succeeded. Closed: resets the failure streak (and counts
   * a call in the rate window). Half-open: closes the breaker. Stale permits are ignored.
   */
  success(permit: Permit): void {
    if (permit !== this.generation) return;
    if (this.mode === CLOSED) {
      this.streak = 0;
      this.window?.record(this.clock.now(), false);
    } else if (this.mode === HALF_OPEN) {
      this.close();
    }
  }

  /**
   * Reports that the attempt of `permit` failed with `error`. An error `isFailure` refuses counts
   * as a success. Closed: may trip the breaker. Half-open: opens it again for the open period
   * times `halfOpenBackoff` (capped by `maxHalfOpenAfter`). Stale permits are ignored.
   */
  failure(permit: Permit, error: unknown): void {
    if (permit !== this.generation) return;
    if (!this.counts(error)) return this.success(permit);
    if (this.mode === CLOSED) {
      this.streak++;
      const rateReached = this.window?.record(this.clock.now(), true) ?? false;
      if (this.streak >= this.consecutiveFailures || rateReached) this.open();
    } else if (this.mode === HALF_OPEN) {
      this.openPeriod = Math.min(this.openPeriod * this.halfOpenBackoff, this.maxOpenPeriod);
      this.open();
    }
  }

  /**
   * Reports an attempt that ended without an outcome (say, its caller aborted): counts nothing
   * and changes no state, but frees the trial slot of a half-open permit. Stale permits are
   * ignored.
   */
  release(permit: Permit): void {
    if (permit === this.generation && this.mode === HALF_OPEN && this.trials > 0) this.trials--;
  }

  /**
   * Opens the breaker for `ms` whatever its state (another process opened it, see
   * `@CircuitBreaker({ shared: true })`): it refuses calls, then is half-open.
   */
  openFor(ms: number): void {
    this.openUntil = this.clock.now() + ms;
    this.enter(OPEN);
  }

  /** Ms until an open breaker turns half-open; 0 unless it is open. */
  get openRemainingMs(): number {
    return this.mode === OPEN ? Math.max(0, this.openUntil - this.clock.now()) : 0;
  }

  /** Forces the breaker open until `reset()`: it refuses every call, `retryAfterMs` Infinity. */
  isolate(): void {
    this.openUntil = Infinity;
    this.enter(OPEN);
  }

  /** Closes the breaker whatever its state: failure counters cleared, backoff back to the start. */
  reset(): void {
    this.close();
  }

  private counts(error: unknown): boolean {
    if (!this.isFailure) return true;
    try {
      return this.isFailure(error);
    } catch {
      // The breaker's bookkeeping must not fail the call: a broken predicate counts the error.
      return true;
    }
  }

  private open(): void {
    // Before the state changes, so that a listener reading the state sees the new open period.
    this.openUntil = this.clock.now() + this.openPeriod;
    this.enter(OPEN);
  }

  private close(): void {
    this.enter(CLOSED);
    this.streak = 0;
    this.openPeriod = this.halfOpenAfter;
    this.window?.clear();
  }

  /** Every state change makes the permits handed out so far stale. */
  private enter(mode: Mode): void {
    const from = this.mode;
    this.mode = mode;
    this.generation++;
    this.trials = 0;
    if (from !== mode) this.onStateChange(STATE_NAMES[from], STATE_NAMES[mode]);
  }
}

/** Calls and failures over a sliding window, and whether their rate trips the breaker. */
class FailureWindow {
  /** Calls (`first`) and failures (`second`) in the window. */
  private readonly counts: SlidingCounts;

  constructor(
    windowMs: number,
    private readonly threshold: number,
    private readonly minimumCalls: number,
  ) {
    this.counts = new SlidingCounts(windowMs);
  }

  /** Counts one call at `now`; true when it was a failure that took the rate to the threshold. */
  record(now: number, failed: boolean): boolean {
    const { counts } = this;
    counts.add(now, 1, failed ? 1 : 0);
    return (
      failed && counts.first >= this.minimumCalls && counts.second / counts.first >= this.threshold
    );
  }

  clear(): void {
    this.counts.clear();
  }
}
