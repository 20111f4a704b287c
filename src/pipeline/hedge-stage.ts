import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import type { HedgeDelay } from '../resilience/hedge-options';
import { hedgedCall, type Hedging } from '../resilience/hedged-call';
import type { Bulkhead } from '../resilience/bulkhead';
import type { LatencyTracker } from '../resilience/latency-tracker';
import type { RetryBudget } from '../resilience/retry-budget';
import type { Stage } from './stage';

export interface HedgeStageConfig {
  readonly delay: HedgeDelay;
  readonly maxHedges: number;
  readonly clock: Clock;
  /** The attempts' latency record (a percentile delay reads it). */
  readonly latencies: LatencyTracker;
  /** The operation's bulkhead: a hedge needs an idle slot of it. */
  readonly bulkhead: Bulkhead | undefined;
  /** The retry budget: a hedge spends one retry of it. */
  readonly budget: RetryBudget | undefined;
  readonly onHedge: (n: number) => void;
}

const noRelease = (): void => {};

/**
 * Hedges each attempt (inside retry, outside the breaker: each hedge is an attempt the breaker
 * and the per-attempt timeout see). A hedge costs what a retry would: a bulkhead slot, taken only
 * if one is idle, and a retry of the budget, so an outage does not double the load.
 */
export function hedgeStage(next: Stage, config: HedgeStageConfig): Stage {
  const { delay, latencies, bulkhead, budget } = config;
  const hedging: Hedging = {
    clock: config.clock,
    maxHedges: config.maxHedges,
    delayMs: typeof delay === 'number' ? () => delay : () => latencies.quantile(delay.percentile),
    admit() {
      const release = bulkhead ? bulkhead.tryAcquire() : noRelease;
      if (release === undefined) return undefined;
      if (budget && !budget.tryRetry()) {
        release();
        return undefined;
      }
      return release;
    },
    onHedge: config.onHedge,
    record: (ms) => latencies.record(ms),
  };
  const attempt = next as (thisArg: unknown, args: unknown[]) => Promise<unknown>;
  return (thisArg, args) => hedgedCall(attempt, thisArg, args, currentCancellation(), hedging);
}
