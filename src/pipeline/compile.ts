import type { ServiceCache } from '../cache/service-cache';
import type { Clock } from '../clock';
import { currentCancellation } from '../context';
import type { AnyMethod, PolicySet } from '../decorators/types';
import type { PolicyRegistry } from '../resilience/registry';
import type { LatencyTracker } from '../resilience/latency-tracker';
import { TimeoutError } from '../errors';
import { breakerStage } from './breaker-stage';
import { bulkheadStage } from './bulkhead-stage';
import type { ResolvedOptions } from '../options';
import type { Probe } from '../observability/probe';
import { retrying, type RetryRuntime } from '../resilience/retry';
import { withGuard, type TimeoutGuard } from '../resilience/timeout';
import { retryWithinDeadline } from '../resilience/deadline';
import { cacheStage } from './cache-stage';
import { resolveCacheTtl, resolveRetryPolicy, resolveTimeoutMs } from './resolve-policies';
import type { OperationClaim, OperationClaims } from './operation-claims';
import type { Stage } from './stage';
import { isThenable } from '../is-thenable';
import type { CallSpans } from '../observability/open-telemetry';
import { attemptStage, traceStage } from './trace-stage';

/** What one method (or wrapped function) asks for. */
export interface PipelineSpec extends Readonly<PolicySet>, OperationClaim {
  readonly original: AnyMethod;
  /** true/false when it is known whether `original` returns a Promise. */
  readonly returnsPromise?: boolean;
}

/** What the owning `ExecutionUtils` lends a pipeline. */
export interface PipelineRuntime {
  readonly options: ResolvedOptions;
  readonly clock: Clock;
  /** The probe an operation's stages report through. */
  readonly probe: (operation: string) => Probe;
  readonly retry: RetryRuntime;
  readonly operationTimeouts: ReadonlyMap<string, number>;
  /** The service's breakers, bulkheads and retry budgets, by name. */
  readonly policies: PolicyRegistry;
  /** Undefined when caching is off (`cacheSize: 0`, or the service is closed). */
  readonly cache?: ServiceCache;
  /** OpenTelemetry spans, when the service turned them on (`tracing.openTelemetry`). */
  readonly spans?: CallSpans;
}

/**
 * Builds a method's pipeline once. The order is fixed whatever order the decorators were written
 * in: cache -> single-flight -> bulkhead -> retry (budget, deadline) -> circuit breaker ->
 * per-attempt timeout -> method. Stages a method did not ask for are not there at all, so they
 * cost nothing. Why this order:
 * - a cache hit or a joined flight needs no slot, no attempt and no breaker;
 * - the bulkhead holds one slot for the whole call, so retries never queue behind new calls;
 * - the breaker sees every attempt, so failures trip it mid-retry and an open breaker (a refusal
 *   that is never retried) stops the retries at once;
 * - the timeout bounds one attempt, so a slow attempt counts as the breaker's failure.
 */
export function compilePipeline(
  spec: PipelineSpec,
  runtime: PipelineRuntime,
  claims: OperationClaims,
): Stage {
  try {
    claims.claim(spec);
    return buildStages(spec, runtime);
  } catch (error) {
    // A policy that cannot be resolved (an unknown profile, a name another method holds) fails
    // every call, in the shape
    // of the method: an async method rejects rather than throwing at its caller.
    if (isAsyncPipeline(spec) || spec.returnsPromise) return () => Promise.reject(error);
    return () => {
      throw error;
    };
  }
}

function buildStages(spec: PipelineSpec, runtime: PipelineRuntime): Stage {
  const { operation, original } = spec;
  const probe = runtime.probe(operation);
  let stage: Stage = (thisArg, args) => original.apply(thisArg, args);
  if (spec.timeout) {
    const ms = resolveTimeoutMs(
      spec.timeout,
      operation,
      runtime.options,
      runtime.operationTimeouts,
    );
    const onTimeout = (timeoutMs: number): void => probe.timeout('attempt', timeoutMs);
    const guard = { ms, operation, clock: runtime.clock, onTimeout };
    const { adaptive } = spec.timeout;
    stage = adaptive
      ? adaptiveTimeoutStage(
          stage,
          guard,
          runtime.policies.latencyTracker(spec.timeout.operation ?? operation, adaptive, ms),
        )
      : timeoutStage(stage, guard);
  }
  if (spec.breaker) {
    const { breaker } = spec;
    const name = typeof breaker === 'string' ? breaker : (breaker.name ?? operation);
    const options = typeof breaker === 'string' ? {} : breaker;
    stage = breakerStage(stage, runtime.policies.breaker(name, options), () =>
      probe.breakerRejected(name),
    );
  }
  // Just inside retry: every attempt passes here (the count a traced call reports).
  stage = attemptStage(stage, operation);
  if (spec.retry) {
    const policy = resolveRetryPolicy(
      spec.retry,
      operation,
      runtime.options,
      runtime.policies,
      probe,
    );
    const attempt = stage as (thisArg: unknown, args: unknown[]) => Promise<unknown>;
    const { maxElapsed } = policy;
    stage =
      maxElapsed === undefined
        ? (thisArg, args) =>
            retrying(attempt, thisArg, args, policy, runtime.retry, currentCancellation())
        : (thisArg, args) =>
            retryWithinDeadline(
              attempt,
              thisArg,
              args,
              maxElapsed,
              policy,
              runtime.retry,
              runtime.clock,
              (timeoutMs) => probe.timeout('total', timeoutMs),
            );
  }
  if (spec.bulkhead) {
    const { name = operation, priority, ...options } = spec.bulkhead;
    stage = bulkheadStage(stage, runtime.policies.bulkhead(name, options), priority, () =>
      probe.bulkheadRejected(name),
    );
  }
  stage = executedStage(stage, probe);
  if (spec.cache && runtime.cache) {
    stage = cacheStage(stage, {
      operation,
      options: spec.cache,
      tenant: spec.cache.tenant ?? runtime.options.tenant,
      ttl: resolveCacheTtl(spec.cache.ttl, operation, runtime.options),
      clock: runtime.clock,
      cache: runtime.cache,
      probe,
      returnsPromise: isAsyncPipeline(spec) ? true : spec.returnsPromise,
    });
  }
  const returnsPromise = isAsyncPipeline(spec) ? true : spec.returnsPromise;
  return traceStage(stage, probe, returnsPromise, runtime.spans);
}

/**
 * Bounds each attempt by the operation's current adaptive limit, and feeds the tracker: a success
 * with its latency, a timeout with the limit it hit (so a slowing dependency raises the limit).
 * Failures and aborts say nothing reliable about latency and are not recorded.
 */
function adaptiveTimeoutStage(next: Stage, base: TimeoutGuard, tracker: LatencyTracker): Stage {
  const { clock } = base;
  return (thisArg, args) => {
    const ms = tracker.limit();
    const started = clock.now();
    const attempt = withGuard(next, thisArg, args, { ...base, ms }, currentCancellation());
    attempt.then(
      () => tracker.record(clock.now() - started),
      (error: unknown) => {
        if (error instanceof TimeoutError && error.timeoutMs === ms) tracker.record(ms);
      },
    );
    return attempt;
  };
}

/**
 * Times each execution of the method's pipeline (every call but a cache hit) for the `executed`
 * event, only while someone listens to it: otherwise it is a passthrough.
 */
function executedStage(next: Stage, probe: Probe): Stage {
  const { clock } = probe;
  return (thisArg, args) => {
    if (!probe.timed) return next(thisArg, args);
    const started = clock.now();
    const report = (ok: boolean): void => probe.executed(clock.now() - started, ok);
    let result: unknown;
    try {
      result = next(thisArg, args);
    } catch (error) {
      report(false);
      throw error;
    }
    if (isThenable(result)) {
      result.then(
        () => report(true),
        () => report(false),
      );
    } else report(true);
    return result;
  };
}

/** Bounds each attempt; the attempt sees the guard's signal through `currentSignal()`. */
function timeoutStage(next: Stage, guard: TimeoutGuard): Stage {
  return (thisArg, args) => withGuard(next, thisArg, args, guard, currentCancellation());
}

/** Whether a stage past the cache makes every call async, whatever the method returns. */
function isAsyncPipeline(spec: PipelineSpec): boolean {
  return !!(spec.retry || spec.timeout || spec.breaker || spec.bulkhead);
}
