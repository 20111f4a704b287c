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
   * @param remote the Redis tier, when there is one: shared breakers go through it, and its
   *   breaker channel is listened to from the start (so a breaker this process makes later still
   *   knows of an opening heard before).
   */
  constructor(
    private readonly clock: Clock,
    retryBudget: RetryBudgetOptions | undefined,
    private readonly onStateChange: BreakerStateListener = () => {},
    remote?: RemoteTier,
  ) {
    this.sharedBudget = retryBudget ? new RetryBudget(retryBudget, clock) : undefined;
    this.sharing = remote && new SharedBreakers(remote, clock);
  }

  breaker(name: string, settings: CircuitBreakerOptions): CircuitBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker(name, settings, this.clock, (from, to) => {
        this.sharing?.changed(name, to);
        this.onStateChange(name, from, to);
      });
      this.breakers.set(name, breaker);
    }
    return breaker;
  }

  /** The breaker `name`, shared with every process of the namespace; undefined without a tier. */
  sharedBreaker(name: string, settings: CircuitBreakerOptions): CircuitBreaker | undefined {
    if (!this.sharing) return undefined;
    const breaker = this.breaker(name, settings);
    this.sharing.share(breaker);
    return breaker;
  }

  bulkhead(name: string, settings: BulkheadOptions): Bulkhead {
    let bulkhead = this.bulkheads.get(name);
    if (!bulkhead) {
      bulkhead = new Bulkhead(name, settings);
      this.bulkheads.set(name, bulkhead);
    }
    return bulkhead;
  }

  rateLimiter(name: string, settings: RateLimiterSettings): RateLimiter {
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiter(name, settings);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  /**
   * The shared rate limit `name`: through `remote`, with a limiter of this process at
   * `localLimit` for the time Redis cannot be reached.
   */
  sharedRateLimiter(
    name: string,
    settings: RateLimiterSettings,
    remote: RemoteTier,
    localLimit: number,
  ): SharedRateLimiter {
    let limiter = this.shared.get(name);
    if (!limiter) {
      const burst = Math.min(settings.burst, localLimit);
      const local = new RateLimiter(name, { ...settings, limit: localLimit, burst });
      limiter = new SharedRateLimiter(name, settings, remote, local, this.clock);
      this.shared.set(name, limiter);
    }
    return limiter;
  }

  /** The budget of `profileName` when its profile sets one (`own`), else the shared pool. */
  retryBudget(profileName: string, own: RetryBudgetOptions | undefined): RetryBudget | undefined {
    if (!own) return this.sharedBudget;
    let budget = this.budgets.get(profileName);
    if (!budget) {
      budget = new RetryBudget(own, this.clock);
      this.budgets.set(profileName, budget);
    }
    return budget;
  }

  /** The latency record behind an adaptive timeout, one per operation. */
  latencyTracker(
    name: string,
    options: AdaptiveTimeoutOptions,
    fallbackMax: number,
  ): LatencyTracker {
    let tracker = this.latencies.get(name);
    if (!tracker) {
      tracker = new LatencyTracker(options, fallbackMax, `@Timeout(${name}).adaptive`);
      this.latencies.set(name, tracker);
    }
    return tracker;
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
