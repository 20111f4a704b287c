/**
 * The admission times of one rate-limit budget: at most `limit` in any `intervalMs`, and at most
 * `burst` in any `intervalMs * burst / limit` (the same rate over a shorter span, which spreads
 * the calls out when `burst < limit`). Both are checked on the last `limit` admissions, kept in
 * a ring: O(1) per call, 8 B per unit of `limit`. Exact, where a fixed window lets twice the
 * limit through across a boundary and a token bucket lets a full bucket plus the refill through.
 */
export class SlidingWindow {
  private readonly times: Float64Array;
  /** Where the next admission goes: the oldest one once the ring is full. */
  private head = 0;
  private count = 0;
  private readonly burstSpan: number;

  constructor(
    private readonly limit: number,
    private readonly intervalMs: number,
    private readonly burst: number,
  ) {
    this.times = new Float64Array(limit);
    this.burstSpan = (intervalMs * burst) / limit;
  }

  /** Admits a call at `now` (returns 0), or returns how many ms until one would be admitted. */
  tryAdmit(now: number): number {
    const wait = Math.max(this.waitFor(this.limit, this.intervalMs, now), this.burstWait(now));
    if (wait > 0) return wait;
    this.times[this.head] = now;
    this.head = (this.head + 1) % this.limit;
    if (this.count < this.limit) this.count++;
    return 0;
  }

  /** The time of the latest admission (-Infinity before any): an idle budget can be dropped. */
  get latest(): number {
    return this.count === 0 ? -Infinity : this.times[(this.head - 1 + this.limit) % this.limit];
  }

  private burstWait(now: number): number {
    return this.burst < this.limit ? this.waitFor(this.burst, this.burstSpan, now) : 0;
  }

  /** Until the `n`-th latest admission leaves a span of `spanMs` (0 when fewer than `n`). */
  private waitFor(n: number, spanMs: number, now: number): number {
    if (this.count < n) return 0;
    const nth = this.times[(this.head - n + this.limit) % this.limit];
    return Math.max(0, nth + spanMs - now);
  }
}
