import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import type { Probe } from '../observability/probe';
import { retryWithinDeadline } from '../resilience/deadline';
import { retrying, type RetryPolicy, type RetryRuntime } from '../resilience/retry';
import type { Stage } from './stage';

/**
 * Retries the attempts after it under `policy`: each attempt on its own, or, with `maxElapsed`,
 * all of them under one deadline that aborts the running attempt or wait.
 */
export function retryStage(
  next: Stage,
  policy: RetryPolicy,
  runtime: RetryRuntime,
  clock: Clock,
  probe: Probe,
): Stage {
  const attempt = next as (thisArg: unknown, args: unknown[]) => Promise<unknown>;
  const { maxElapsed } = policy;
  if (maxElapsed === undefined) {
    return (thisArg, args) =>
      retrying(attempt, thisArg, args, policy, runtime, currentCancellation());
  }
  const onDeadline = (timeoutMs: number): void => probe.timeout('total', timeoutMs);
  return (thisArg, args) =>
    retryWithinDeadline(attempt, thisArg, args, maxElapsed, policy, runtime, clock, onDeadline);
}
