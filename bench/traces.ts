/**
 * Fixed-seed key traces for hit-ratio measurements (bench scenario L and the admission tests):
 * the same keys in the same order on every run.
 */

/** mulberry32: a small seeded PRNG giving numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n-1 from Zipf(s) (probability proportional to 1 / (rank + 1)^s), seeded. */
export function zipfSampler(n: number, s: number, seed: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  const random = prng(seed);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * `requests` keys `k<rank>` drawn from Zipf(s) over `n` keys, with a scan of `scanLength`
 * one-off keys `scan<i>` after every `scanEvery` requests (0: none).
 */
export function* zipfTrace(
  n: number,
  s: number,
  requests: number,
  scanEvery: number,
  scanLength: number,
  seed: number,
): Generator<string> {
  const next = zipfSampler(n, s, seed);
  let oneOff = 0;
  for (let r = 1; r <= requests; r++) {
    yield `k${next()}`;
    if (scanEvery > 0 && r % scanEvery === 0) {
      for (let j = 0; j < scanLength; j++) yield `scan${oneOff++}`;
    }
  }
}

/** `requests` keys cycling through `period` distinct ones. */
export function* loopTrace(period: number, requests: number): Generator<string> {
  for (let r = 0; r < requests; r++) yield `loop${r % period}`;
}
