import type { Clock } from '../clock';
import type { RemoteTier } from '../cache/remote-tier';
import type { RateLimiter, RateLimiterSettings } from './rate-limiter';

/** What the rate-limit stage asks: 0 when a call is admitted, else the ms until one would be. */
export interface Admission {
  readonly name: string;
  readonly settings: RateLimiterSettings;
  tryAdmit(budget: string, now: number): number | Promise<number>;
}

/** Refusals remembered before the ones that ended are looked for and dropped. */
const SWEEP_AT = 1_024;

/**
 * A rate limit shared by every process of the namespace: each call is one atomic script in Redis
 * (the same sliding window as in process, on the server's clock). A refusal is remembered until
 * the wait Redis gave ends, so the calls meanwhile are refused here without a round trip. While
 * Redis cannot be asked (down, slow past the command timeout, the tier's breaker open), calls go
 * through `local`: a limiter of this process alone, at its documented share.
 */
export class SharedRateLimiter implements Admission {
  private readonly refusedUntil = new Map<string, number>();
  private sweepAt = SWEEP_AT;

  constructor(
    readonly name: string,
    readonly settings: RateLimiterSettings,
    private readonly remote: RemoteTier,
    private readonly local: RateLimiter,
    private readonly clock: Clock,
  ) {}

  tryAdmit(budget: string, now: number): number | Promise<number> {
    const until = this.refusedUntil.get(budget);
    if (until !== undefined) {
      if (now < until) return until - now;
      this.refusedUntil.delete(budget);
    }
    return this.remote.admit(this.name, budget, this.settings).then((wait) => {
      if (wait === undefined) return this.local.tryAdmit(budget, this.clock.now());
      if (wait > 0) this.remember(budget, this.clock.now() + wait);
      return wait;
    });
  }

  private remember(budget: string, until: number): void {
    if (this.refusedUntil.size >= this.sweepAt) {
      const now = this.clock.now();
      for (const [b, end] of this.refusedUntil) if (end <= now) this.refusedUntil.delete(b);
      this.sweepAt = Math.max(SWEEP_AT, 2 * this.refusedUntil.size);
    }
    this.refusedUntil.set(budget, until);
  }
}
