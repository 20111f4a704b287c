import type { Clock } from '../clock';
import type { OperationProfile } from '../options';
import { Bulkhead, type BulkheadOptions } from './bulkhead';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';
import { LatencyTracker, type AdaptiveTimeoutOptions } from './latency-tracker';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget';

/** Told each time a breaker changes state. */
export type BreakerStateListener = (breaker: string, from: CircuitState, to: CircuitState) => void;

/**
 * The stateful policies of one service, by name: a breaker or bulkhead is shared by every method,
 * instance and call site that names it. Its settings are fixed when it is first used: the
 * operation profile of its name, over what the first decorator to use it said.
 */
export class PolicyRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly bulkheads = new Map<string, Bulkhead>();
  private readonly budgets = new Map<string, RetryBudget>();
  private readonly latencies = new Map<string, LatencyTracker>();
  private readonly sharedBudget: RetryBudget | undefined;

  constructor(
    private readonly operations: Readonly<Record<string, OperationProfile>>,
    private readonly clock: Clock,
    retryBudget: RetryBudgetOptions | undefined,
    private readonly onStateChange: BreakerStateListener = () => {},
  ) {
    this.sharedBudget = retryBudget ? new RetryBudget(retryBudget, clock) : undefined;
  }

  breaker(name: string, options: CircuitBreakerOptions = {}): CircuitBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) {
      const profile = this.operations[name]?.circuitBreaker;
      breaker = new CircuitBreaker(name, { ...options, ...profile }, this.clock, (from, to) =>
        this.onStateChange(name, from, to),
      );
      this.breakers.set(name, breaker);
    }
    return breaker;
  }

  bulkhead(name: string, options: BulkheadOptions = {}): Bulkhead {
    let bulkhead = this.bulkheads.get(name);
    if (!bulkhead) {
      bulkhead = new Bulkhead(name, { ...options, ...this.operations[name]?.bulkhead });
      this.bulkheads.set(name, bulkhead);
    }
    return bulkhead;
  }

  /** The profile's own budget if it sets one, else the pool shared by every operation. */
  retryBudget(profileName: string): RetryBudget | undefined {
    const own = this.operations[profileName]?.retryBudget;
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
