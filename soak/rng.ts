/**
 * A seeded PRNG (mulberry32): every random choice of the soak comes from one seed, so a failing
 * run can be replayed with `--seed`. Timing is real, so a replay makes the same choices but not
 * necessarily in the same interleaving.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An index in [0, n) skewed towards 0, so a few hot keys and tenants see concurrent calls. */
  skewed(n: number): number {
    const u = this.next();
    return Math.floor(u * u * n);
  }
}
