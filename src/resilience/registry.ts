import type { Clock } from '../clock';
import { Bulkhead, type BulkheadOptions } from './bulkhead';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';
import { LatencyTracker, type AdaptiveTimeoutOptions } from './latency-tracker';
import type { RemoteTier } from '../cache/remote-tier';
import { RateLimiter, type RateLimiterSettings } from './rate-limiter';
import { SharedRateLimiter } from './shared-rate-limiter';
import { SharedBreakers } from './shared-breakers';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget';

/** Told each time a breaker changes state. */
export type BreakerStateListener = (breaker: string, from: CircuitState, to: CircuitState) => void;

/**
 * The stateful policies of one service, by name: a breaker or bulkhead is shared by every method,
 * instance and call site that names it. Its settings are fixed when it is first used, as
 * `pipeline/resolve-policies.ts` resolved them for that first use.
 */
export class PolicyRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly bulkheads = new Map<string, Bulkhead>();
  private readonly budgets = new Map<string, RetryBudget>();
  private readonly latencies = new Map<string, LatencyTracker>();
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly shared = new Map<string, SharedRateLimiter>();
  /** The shared breakers' link to the other processes (with a Redis tier). */
  private readonly sharing: SharedBreakers | undefined;
  private readonly sharedBudget: RetryBudget | undefined;

  /**
   * @param remote the Redis tier, when there is one: shared breakers and rate limits go through
   *   it, and its breaker channel is listened to from the start (so a breaker this process makes
   *   later still knows of an opening heard before).
   */
  constructor(
    private readonly clock: Clock,
    retryBudget: RetryBudgetOptions | undefined,
    private readonly onStateChange: BreakerStateListener = () => {},
    private readonly remote?: RemoteTier,
  ) {
    this.sharedBudget = retryBudget ? new RetryBudget(retryBudget, clock) : undefined;
    this.sharing = remote && new SharedBreakers(remote, clock);
  }

  breaker(name: string, settings: CircuitBreakerOptions): CircuitBreaker {
    return made(this.breakers, name, () => {
      return new CircuitBreaker(name, settings, this.clock, (from, to) => {
        this.sharing?.changed(name, to);
        this.onStateChange(name, from, to);
      });
    });
  }

  /** The breaker `name`, shared with every process of the namespace; undefined without a tier. */
  sharedBreaker(name: string, settings: CircuitBreakerOptions): CircuitBreaker | undefined {
    if (!this.sharing) return undefined;
    const breaker = this.breaker(name, settings);
    this.sharing.share(breaker);
    return breaker;
  }

  bulkhead(name: string, settings: BulkheadOptions): Bulkhead {
    return made(this.bulkheads, name, () => new Bulkhead(name, settings));
  }

  rateLimiter(name: string, settings: RateLimiterSettings): RateLimiter {
    return made(this.limiters, name, () => new RateLimiter(name, settings));
  }

  /**
   * The rate limit `name`, shared with every process of the namespace, with a limiter of this
   * process at `localLimit` for the time Redis cannot be reached; undefined without a tier.
   */
  sharedRateLimiter(
    name: string,
    settings: RateLimiterSettings,
    localLimit: number,
  ): SharedRateLimiter | undefined {
    const { remote } = this;
    if (!remote) return undefined;
    return made(this.shared, name, () => {
      const burst = Math.min(settings.burst, localLimit);
      const local = new RateLimiter(name, { ...settings, limit: localLimit, burst });
      return new SharedRateLimiter(name, settings, remote, local, this.clock);
    });
  }

  /** The budget of `profileName` when its profile sets one (`own`), else the shared pool. */
  retryBudget(profileName: string, own: RetryBudgetOptions | undefined): RetryBudget | undefined {
    if (!own) return this.sharedBudget;
    return made(this.budgets, profileName, () => new RetryBudget(own, this.clock));
  }

  /** The latency record behind an adaptive timeout (or a hedge), one per name. */
  latencyTracker(
    name: string,
    options: AdaptiveTimeoutOptions,
    fallbackMax: number,
  ): LatencyTracker {
    return made(
      this.latencies,
      name,
      () => new LatencyTracker(options, fallbackMax, `@Timeout(${name}).adaptive`),
    );
  }

  /** The breakers used so far, by name (for gauges). */
  listBreakers(): ReadonlyMap<string, CircuitBreaker> {
    return this.breakers;
  }

  /** The bulkheads used so far, by name (for gauges). */
  listBulkheads(): ReadonlyMap<string, Bulkhead> {
    return this.bulkheads;
  }

  /** A breaker no call has used yet is closed. */
  circuitState(name: string): CircuitState {
    return this.breakers.get(name)?.state ?? 'closed';
  }
}

/** The policy of `name` in `policies`, made (and kept) on first use. */
function made<T>(policies: Map<string, T>, name: string, make: () => T): T {
  let policy = policies.get(name);
  if (policy === undefined) {
    policy = make();
    policies.set(name, policy);
  }
  return policy;
}
