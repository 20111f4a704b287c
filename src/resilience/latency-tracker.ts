import { ConfigError } from '../errors';
import {
  checkFraction,
  checkMultiplier,
  checkPositiveInteger,
  checkPositiveMs,
  fail,
  optionKeys,
  optional,
} from '../validation';

/**
 * How an adaptive timeout follows the latency of its operation: the per-attempt limit is
 * `clamp(percentile latency * multiplier, min, max)` over the last `window` attempts, once at
 * least `minSamples` of them are in, and `max` before that. Every duration is in milliseconds.
 */
export interface AdaptiveTimeoutOptions {
  /**
   * The latency percentile the limit follows, a fraction in (0, 1): 0.99 follows the p99, 0.5 the
   * median. It is computed by nearest rank (see the adaptive timeout in the README). Default 0.99.
   */
  percentile?: number;
  /**
   * The limit is this many times the percentile latency; a finite number >= 1. Default 2.
   */
  multiplier?: number;
  /**
   * Lowest limit, in ms (a finite number > 0), however fast the operation has been. Default 100,
   * lowered to `max` when `max` is below 100 and `min` is unset.
   */
  min?: number;
  /**
   * Highest limit, in ms (a finite number > 0, >= `min`); also the limit until `minSamples`
   * samples are in. Default: the `fallbackMax` the tracker is built with (the service's default
   * timeout).
   */
  max?: number;
  /**
   * Samples needed before the percentile is trusted; an integer >= 1 and <= `window`. Until then
   * the limit is `max`. Default 20.
   */
  minSamples?: number;
  /**
   * How many of the most recent samples the percentile is computed over; an integer >=
   * `minSamples`. Older samples leave the window (a ring buffer: memory is `16 * window` bytes
   * whatever the call rate). Default 200.
   */
  window?: number;
}

/** The defaults of {@link AdaptiveTimeoutOptions} (`max` defaults to the caller's fallback). */
/** The keys of {@link AdaptiveTimeoutOptions}, for the callers that refuse unknown ones. */
export const ADAPTIVE_TIMEOUT_OPTION_KEYS = optionKeys<AdaptiveTimeoutOptions>({
  percentile: true,
  multiplier: true,
  min: true,
  max: true,
  minSamples: true,
  window: true,
});

export const ADAPTIVE_TIMEOUT_DEFAULTS = {
  percentile: 0.99,
  multiplier: 2,
  min: 100,
  minSamples: 20,
  window: 200,
} as const;

/**
 * Validates adaptive timeout options; throws `ConfigError` naming the first bad option as
 * `${where}.option`, e.g. `Api.fetch.adaptive.percentile`. Unset options are left to their
 * defaults; `min > max` is refused when both are given, and `window < minSamples` when either is
 * given (the other taking its default). `max` is checked against its fallback by the
 * {@link LatencyTracker} constructor.
 */
export function validateAdaptiveTimeoutOptions(o: AdaptiveTimeoutOptions, where: string): void {
  optional(checkFraction(false))(`${where}.percentile`, o.percentile);
  optional(checkMultiplier)(`${where}.multiplier`, o.multiplier);
  optional(checkPositiveMs)(`${where}.min`, o.min);
  optional(checkPositiveMs)(`${where}.max`, o.max);
  if (o.min !== undefined && o.max !== undefined && o.min > o.max) {
    fail(`${where}.min`, o.min, `a number of ms <= max (${o.max})`);
  }
  optional(checkPositiveInteger)(`${where}.minSamples`, o.minSamples);
  optional(checkPositiveInteger)(`${where}.window`, o.window);
  const minSamples = o.minSamples ?? ADAPTIVE_TIMEOUT_DEFAULTS.minSamples;
  const window = o.window ?? ADAPTIVE_TIMEOUT_DEFAULTS.window;
  if (window < minSamples) {
    if (o.window === undefined) {
      fail(`${where}.minSamples`, minSamples, `an integer <= window (default ${window})`);
    }
    fail(`${where}.window`, window, `an integer >= minSamples (${minSamples})`);
  }
}

/**
 * How many records may go unseen by {@link LatencyTracker.limit}, as a share of the window: the
 * percentile is recomputed after `ceil(window / REFRESH_DIVISOR)` new samples.
 */
const REFRESH_DIVISOR = 20;

/**
 * Feeds adaptive timeouts: remembers the latency of the last `window` attempts of an operation
 * and turns them into the next attempt's limit,
 * `clamp(percentile latency * multiplier, min, max)`, or `max` while fewer than `minSamples`
 * samples are in. It reads no clock and sets no timer: the caller measures each attempt and calls
 * {@link record}, and asks {@link limit} before the next one.
 *
 * - Percentile, by nearest rank: over the `n` samples in the window, the `ceil(percentile * n)`-th
 *   smallest (samples 1..100 at 0.9 give 90; at 0.99, 99). It is always an observed sample, never
 *   an interpolation. The rank is computed as `ceil(percentile * n - 1e-9)` (at least 1), so that
 *   float noise (`0.07 * 100 = 7.000000000000001`) does not skip a rank.
 * - Staleness: `record` only stores the sample; `limit` recomputes the percentile when it is read
 *   and at least `k = ceil(window / 20)` samples came in since the last computation (and on the
 *   first read once `minSamples` are in). So the limit is computed from the window as it was at
 *   most `k - 1` samples ago: at most 5 % of the window (rounded up) not yet counted, and fresh
 *   on every read for a window of 20 or less. With the default window of 200, `k = 10`.
 * - Cost: `record` is O(1) and allocates nothing. A recomputation allocates nothing either and
 *   never sorts. When the percentile is among the 16 largest samples (p99 over a window of up
 *   to 1_599 samples, as with the defaults), one pass over the window keeps the largest ones in
 *   a preallocated `Float64Array`. Otherwise the window is copied into that scratch array and a
 *   quickselect runs on it (median-of-three pivot, branch-free partition): O(n) expected, O(n^2)
 *   only for orders built against the pivot rule. Either runs at most once per `k` records.
 * - Samples that are not finite numbers >= 0 (NaN, Infinity, negative: a clock that jumped) are
 *   ignored: they neither enter the window nor count towards `minSamples`.
 *
 * A timed-out attempt should be recorded as the limit it hit (a censored sample: the latency was
 * at least that much). This is what lets the limit grow when the dependency slows down: once more
 * than `1 - percentile` of the window hits the limit, the percentile is the limit itself and the
 * next limit is `multiplier` times larger, until it passes the real latency or reaches `max`.
 *
 * @example
 * const tracker = new LatencyTracker({ percentile: 0.99, multiplier: 2 }, 5_000);
 * const ms = tracker.limit(); // 5_000 until 20 samples are in
 * // ...run the attempt with a timeout of `ms`; then
 * tracker.record(timedOut ? ms : elapsed);
 */
export class LatencyTracker {
  private readonly percentile: number;
  private readonly multiplier: number;
  private readonly min: number;
  private readonly max: number;
  private readonly minSamples: number;
  /** Recompute after this many new samples: `ceil(window / 20)`. */
  private readonly refreshEvery: number;
  /** The last `window` samples; slots `[0, count)` are filled, `head` is where the next goes. */
  private readonly ring: Float64Array;
  /** Where the selection works, so that the ring keeps its order. */
  private readonly scratch: Float64Array;
  private head = 0;
  private count = 0;
  /** Samples recorded since `cached` was computed. */
  private pending = 0;
  /** The last computed limit; `NaN` until the first computation. */
  private cached = NaN;
  /** The last quantile asked for, its value, and the samples recorded since. */
  private quantileOf = NaN;
  private quantileCached = NaN;
  private quantilePending = 0;

  /**
   * Validates `options` (a `ConfigError` names them as `${where}.option`) and starts empty.
   *
   * @param options percentile, multiplier, bounds and window; unset ones take their defaults.
   * @param fallbackMax the `max` to use when `options.max` is unset (the service's default
   *   timeout), in ms: a finite number > 0, and >= `options.min` when that is set. Checked only
   *   when used; a bad one throws `ConfigError` naming `${where}.max`.
   * @param where the prefix of the option names in errors. Default `'LatencyTracker'`.
   */
  constructor(options: AdaptiveTimeoutOptions, fallbackMax: number, where = 'LatencyTracker') {
    validateAdaptiveTimeoutOptions(options, where);
    const d = ADAPTIVE_TIMEOUT_DEFAULTS;
    let max = options.max;
    if (max === undefined) {
      max = fallbackMax;
      checkPositiveMs(`${where}.max`, max);
      if (options.min !== undefined && options.min > max) {
        throw new ConfigError(
          `${where}.min`,
          `expected a number of ms <= max (unset, so the default timeout ${max}), ` +
            `got ${options.min}`,
        );
      }
    }
    const window = options.window ?? d.window;
    this.percentile = options.percentile ?? d.percentile;
    this.multiplier = options.multiplier ?? d.multiplier;
    this.max = max;
    this.min = options.min ?? Math.min(d.min, max);
    this.minSamples = options.minSamples ?? d.minSamples;
    this.refreshEvery = Math.ceil(window / REFRESH_DIVISOR);
    this.ring = new Float64Array(window);
    this.scratch = new Float64Array(window);
  }

  /**
   * Records the latency (ms) of a finished attempt, replacing the oldest sample once the window
   * is full. A timed-out attempt is recorded by the caller as the limit it hit (a censored
   * sample), which lets the limit grow when the dependency slows down. Samples that are not
   * finite numbers >= 0 are ignored. O(1), no allocation.
   */
  record(ms: number): void {
    if (typeof ms !== 'number' || !(ms >= 0 && ms < Infinity)) return;
    const ring = this.ring;
    ring[this.head] = ms;
    this.head = this.head + 1 === ring.length ? 0 : this.head + 1;
    if (this.count < ring.length) this.count++;
    this.pending++;
    this.quantilePending++;
  }

  /**
   * The current limit in ms: `max` while fewer than `minSamples` samples are in, then
   * `clamp(percentile latency * multiplier, min, max)`, recomputed at most once per
   * `ceil(window / 20)` records (see the staleness bound on {@link LatencyTracker}).
   */
  limit(): number {
    if (this.count < this.minSamples) return this.max;
    if (this.pending >= this.refreshEvery || this.cached !== this.cached) {
      const scaled = this.observed() * this.multiplier;
      this.cached = Math.min(this.max, Math.max(this.min, scaled));
      this.pending = 0;
    }
    return this.cached;
  }

  /**
   * The nearest-rank `p` quantile of the samples in the window, `p` in (0, 1), or undefined while
   * fewer than `minSamples` are in; recomputed at most once per `ceil(window / 20)` records, as
   * {@link limit} is (a hedge's delay reads it on every call).
   */
  quantile(p: number): number | undefined {
    if (this.count < this.minSamples) return undefined;
    if (p !== this.quantileOf || this.quantilePending >= this.refreshEvery) {
      this.quantileOf = p;
      this.quantileCached = this.observedAt(p);
      this.quantilePending = 0;
    }
    return this.quantileCached;
  }

  /** Samples recorded so far (ignored ones excluded), capped at `window`. */
  get samples(): number {
    return this.count;
  }

  /** The nearest-rank percentile of the samples in the window (`count >= 1`). */
  private observed(): number {
    return this.observedAt(this.percentile);
  }

  /** The nearest-rank `p` quantile of the samples in the window (`count >= 1`). */
  private observedAt(p: number): number {
    const n = this.count;
    const rank = Math.max(1, Math.ceil(p * n - 1e-9));
    const fromTop = n - rank + 1;
    if (fromTop <= TOP_SCAN) return largest(this.ring, n, fromTop, this.scratch);
    const scratch = this.scratch;
    const ring = this.ring;
    for (let i = 0; i < n; i++) scratch[i] = ring[i];
    return select(scratch, n, rank - 1);
  }
}

/**
 * Up to which rank from the top {@link largest} is used instead of {@link select}: a scan keeping
 * 16 values beats a quickselect over windows of a few hundred samples (measured on window 200).
 */
const TOP_SCAN = 16;

/**
 * Returns the `m`-th largest of `a[0..n)` (`1 <= m <= n`) in one pass, leaving `a` as it is: the
 * `m` largest so far are kept ascending in `top[0..m)`, so most samples cost one comparison with
 * `top[0]`. The values must be >= 0 (not NaN).
 */
function largest(a: Float64Array, n: number, m: number, top: Float64Array): number {
  for (let i = 0; i < m; i++) top[i] = -1;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (x > top[0]) {
      let j = 1;
      while (j < m && top[j] < x) {
        top[j - 1] = top[j];
        j++;
      }
      top[j - 1] = x;
    }
  }
  return top[0];
}

/**
 * Returns the `k`-th smallest (0-based) of `a[0..n)`, reordering `a` in place: quickselect with a
 * median-of-three pivot value and a branch-free Lomuto partition (the comparison result moves the
 * boundary, so random latencies cost no mispredicted branches). When nothing is below the pivot
 * (it is the smallest value), a second pass splits off the values equal to it, so a window full
 * of identical censored samples takes two passes, not n. The values must not be NaN.
 */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n; // the k-th smallest is in a[lo..hi)
  while (hi - lo > 1) {
    const pivot = median(a[lo], a[(lo + hi) >>> 1], a[hi - 1]);
    // a[lo..below) < pivot <= a[below..i)
    let below = lo;
    for (let i = lo; i < hi; i++) {
      const x = a[i];
      a[i] = a[below];
      a[below] = x;
      below += +(x < pivot);
    }
    if (k < below) {
      hi = below;
    } else if (below > lo) {
      lo = below;
    } else {
      // Nothing below the pivot: a[lo..equal) === pivot < a[equal..i)
      let equal = lo;
      for (let i = lo; i < hi; i++) {
        const x = a[i];
        a[i] = a[equal];
        a[equal] = x;
        equal += +(x <= pivot);
      }
      if (k < equal) return pivot;
      lo = equal;
    }
  }
  return a[k];
}

/** The median of three values. */
function median(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}
