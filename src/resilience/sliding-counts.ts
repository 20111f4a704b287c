/** Buckets a window is split into: its precision is `windowMs / BUCKETS`. */
const BUCKETS = 10;

/**
 * Two counts (calls and failures, attempts and retries) over a sliding time window of fixed
 * memory: a ring of 10 time buckets plus running totals, whatever the event rate. An event counts
 * for at least `0.9 * windowMs` and at most `windowMs`. Moving the window is O(1) amortised and at
 * most O(10); a time earlier than the newest bucket (a clock that stepped back) counts in it.
 */
export class SlidingCounts {
  private readonly bucketMs: number;
  private readonly firsts = new Float64Array(BUCKETS);
  private readonly seconds = new Float64Array(BUCKETS);
  /** Totals over the window as of the last `add` or `slide`. */
  first = 0;
  second = 0;
  /** Bucket number (`floor(time / bucketMs)`) of the newest bucket in the ring. */
  private head = -Infinity;

  constructor(windowMs: number) {
    this.bucketMs = windowMs / BUCKETS;
  }

  /** Adds to both counts at time `now` (ms), after moving the window there. */
  add(now: number, first: number, second: number): void {
    const slot = this.slide(now);
    this.firsts[slot] += first;
    this.seconds[slot] += second;
    this.first += first;
    this.second += second;
  }

  /** Moves the window to `now`, dropping the buckets that left it; returns the newest slot. */
  slide(now: number): number {
    const bucket = Math.floor(now / this.bucketMs);
    if (bucket > this.head) {
      for (let b = Math.max(this.head + 1, bucket - BUCKETS + 1); b <= bucket; b++) {
        const slot = slotOf(b);
        this.first -= this.firsts[slot];
        this.second -= this.seconds[slot];
        this.firsts[slot] = 0;
        this.seconds[slot] = 0;
      }
      this.head = bucket;
    }
    return slotOf(this.head);
  }

  clear(): void {
    this.firsts.fill(0);
    this.seconds.fill(0);
    this.first = 0;
    this.second = 0;
    this.head = -Infinity;
  }
}

/** The ring slot of bucket `b`; also right for negative buckets (a clock before 0). */
const slotOf = (b: number): number => ((b % BUCKETS) + BUCKETS) % BUCKETS;
