import type { ServiceCache } from '../cache/service-cache';
import type { Clock } from '../clock';
import type { AnyMethod, PolicySet } from '../decorators/types';
import type { CallSpans } from '../observability/open-telemetry';
import type { Probe } from '../observability/probe';
import type { ResolvedOptions } from '../options';
import type { PolicyRegistry } from '../resilience/registry';
import type { RetryRuntime } from '../resilience/retry';
import { adaptiveTimeoutStage } from './adaptive-timeout-stage';
import { attemptStage } from './attempt-stage';
import { DEFAULT_BATCH_SIZE } from '../cache/cached-batch-options';
import { refreshBeta } from '../cache/cached-options';
import { ConfigError } from '../errors';
import { breakerStage } from './breaker-stage';
import { bulkheadStage } from './bulkhead-stage';
import { batchStage } from './batch-stage';
import { cacheStage } from './cache-stage';
import { executedStage } from './executed-stage';
import { fallbackStage } from './fallback-stage';
import { faultStage } from './fault-stage';
import { rateLimitStage } from './rate-limit-stage';
import { hedgeStage } from './hedge-stage';
import type { HedgeDecoratorOptions } from '../resilience/hedge-options';
import type { RateLimitDecoratorOptions } from '../resilience/rate-limit-spec';
import type { Bulkhead } from '../resilience/bulkhead';
import type { RetryBudget } from '../resilience/retry-budget';
import type { FaultSpec } from '../resilience/fault-options';
import type { OperationClaim, OperationClaims } from './operation-claims';
import {
  resolveBreaker,
  resolveBulkhead,
  resolveCacheTtl,
  resolveHedge,
  resolveRateLimit,
  resolveRetryPolicy,
  resolveTimeoutMs,
} from './resolve-policies';
import { retryStage } from './retry-stage';
import type { Stage } from './stage';
import { timeoutStage } from './timeout-stage';
import { traceStage } from './trace-stage';

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
  /** Faults to inject, by operation. */
  readonly faults: ReadonlyMap<string, FaultSpec>;
  /** The service's breakers, bulkheads and retry budgets, by name. */
  readonly policies: PolicyRegistry;
  /** Undefined when caching is off (`cacheSize: 0`, or the service is closed). */
  readonly cache?: ServiceCache;
  /** OpenTelemetry spans, when the service turned them on (`tracing.openTelemetry`). */
  readonly spans?: CallSpans;
}

/**
 * Builds a method's pipeline once. The order is fixed whatever order the decorators were written
 * in: trace -> fallback -> cache -> single-flight -> rate limit -> bulkhead -> retry (budget,
 * deadline) -> hedge -> circuit breaker -> per-attempt timeout -> injected faults -> method.
 * Stages a method did not ask for are not there at all, so they cost nothing. Why this order:
 * - the fallback sees the call's final outcome (after every retry and any stale entry), and its
 *   value is never cached;
 * - a cache hit or a joined flight needs no slot, no attempt and no breaker;
 * - the rate limit counts calls, not attempts (its refusal is never retried), and a refused call
 *   takes no bulkhead slot;
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
    // every call in the shape of the method: an async method rejects rather than throwing.
    if (isAsyncPipeline(spec) || spec.returnsPromise) return () => Promise.reject(error);
    return () => {
      throw error;
    };
  }
}

/** The stages, innermost first: each wraps the ones built before it. */
function buildStages(spec: PipelineSpec, runtime: PipelineRuntime): Stage {
  const { operation, original } = spec;
  const { options, clock, policies } = runtime;
  const probe = runtime.probe(operation);
  let stage: Stage = (thisArg, args) => original.apply(thisArg, args);
  const returnsPromise = isAsyncPipeline(spec) ? true : spec.returnsPromise;
  const faults = runtime.faults.get(operation);
  if (faults) {
    const random = runtime.retry.random;
    stage = faultStage(stage, { operation, spec: faults, clock, random, probe, returnsPromise });
  }
  if (spec.timeout) {
    const ms = resolveTimeoutMs(spec.timeout, operation, options, runtime.operationTimeouts);
    const onTimeout = (timeoutMs: number): void => probe.timeout('attempt', timeoutMs);
    const guard = { ms, operation, clock, onTimeout };
    const { adaptive } = spec.timeout;
    const tracked = spec.timeout.operation ?? operation;
    stage = adaptive
      ? adaptiveTimeoutStage(stage, guard, policies.latencyTracker(tracked, adaptive, ms))
      : timeoutStage(stage, guard);
  }
  if (spec.breaker) {
    const { name, shared, settings } = resolveBreaker(spec.breaker, operation, options);
    const breaker = shared
      ? policies.sharedBreaker(name, settings)
      : policies.breaker(name, settings);
    if (!breaker) {
      throw new ConfigError(
        `@CircuitBreaker(${name}).shared`,
        'a breaker shared across processes needs the Redis tier: set redis on the service',
      );
    }
    stage = breakerStage(stage, breaker, () => probe.breakerRejected(name));
  }
  // Just inside retry (and the hedge): every attempt passes here (the count a traced call reports).
  stage = attemptStage(stage, operation);
  const bulkhead = spec.bulkhead && resolveBulkhead(spec.bulkhead, operation, options);
  const slots = bulkhead && policies.bulkhead(bulkhead.name, bulkhead.settings);
  const retryPolicy = spec.retry
    ? resolveRetryPolicy(spec.retry, operation, options, policies, probe)
    : undefined;
  if (spec.hedge) {
    // Without @Retry, hedges still spend the budget a retry would (the operation's or the pool).
    const budget =
      retryPolicy?.budget ??
      policies.retryBudget(operation, options.operations[operation]?.retryBudget);
    stage = withHedge(stage, spec.hedge, { operation, runtime, probe, bulkhead: slots, budget });
  }
  if (retryPolicy) stage = retryStage(stage, retryPolicy, runtime.retry, clock, probe);
  if (bulkhead && slots) {
    const { name, priority } = bulkhead;
    stage = bulkheadStage(stage, slots, priority, () => probe.bulkheadRejected(name));
  }
  if (spec.rateLimit) stage = withRateLimit(stage, spec.rateLimit, operation, runtime, probe);
  stage = executedStage(stage, probe);
  if (spec.batch && spec.cache) {
    throw new ConfigError(operation, 'a method takes @Cached or @CachedBatch, not both');
  }
  if (spec.batch && runtime.cache) {
    // Each method call of a batch is traced too (one call per batch, besides one per caller).
    stage = batchStage(traceStage(stage, probe, true, runtime.spans), {
      operation,
      options: spec.batch,
      tenant: spec.batch.tenant ?? options.tenant,
      ttl: resolveCacheTtl(spec.batch.ttl, operation, options),
      clock,
      cache: runtime.cache,
      probe,
      maxBatchSize: spec.batch.maxBatchSize ?? DEFAULT_BATCH_SIZE,
    });
  }
  if (spec.cache && runtime.cache) {
    stage = cacheStage(stage, {
      operation,
      options: spec.cache,
      tenant: spec.cache.tenant ?? options.tenant,
      ttl: resolveCacheTtl(spec.cache.ttl, operation, options),
      clock,
      cache: runtime.cache,
      probe,
      returnsPromise,
      refreshBeta: refreshBeta(
        options.operations[operation]?.refreshAhead ??
          spec.cache.refreshAhead ??
          options.refreshAhead,
      ),
      random: runtime.retry.random,
    });
  }
  const fallback = options.operations[operation]?.fallback ?? spec.fallback;
  if (fallback) stage = fallbackStage(stage, fallback, probe);
  return traceStage(stage, probe, returnsPromise, runtime.spans);
}

/** The rate limit stage of `spec`: in process, or shared through the Redis tier. */
function withRateLimit(
  next: Stage,
  spec: RateLimitDecoratorOptions,
  operation: string,
  runtime: PipelineRuntime,
  probe: Probe,
): Stage {
  const { options, policies, clock } = runtime;
  const { name, shared, localLimit, settings } = resolveRateLimit(spec, operation, options);
  const limiter = shared
    ? policies.sharedRateLimiter(name, settings, localLimit)
    : policies.rateLimiter(name, settings);
  if (!limiter) {
    throw new ConfigError(
      `@RateLimit(${name}).shared`,
      'a limit shared across processes needs the Redis tier: set redis on the service',
    );
  }
  return rateLimitStage(next, limiter, clock, (retryAfterMs) =>
    probe.rateLimited(name, retryAfterMs),
  );
}

/** The longest a Node timer waits: the latency record's (unused) limit. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The hedge stage of `spec`, over the attempt latencies its name records. */
function withHedge(
  next: Stage,
  spec: HedgeDecoratorOptions,
  context: {
    operation: string;
    runtime: PipelineRuntime;
    probe: Probe;
    bulkhead: Bulkhead | undefined;
    budget: RetryBudget | undefined;
  },
): Stage {
  const { operation, runtime, probe, bulkhead, budget } = context;
  const { name, delay, maxHedges } = resolveHedge(spec, operation, runtime.options);
  // Its own record (not an adaptive timeout's): what it needs is the latency as it is.
  const latencies = runtime.policies.latencyTracker(`hedge:${name}`, {}, MAX_TIMER_MS);
  return hedgeStage(next, {
    delay,
    maxHedges,
    clock: runtime.clock,
    latencies,
    bulkhead,
    budget,
    onHedge: (n) => probe.hedge(n),
  });
}

/** Whether a stage past the cache makes every call async, whatever the method returns. */
function isAsyncPipeline(spec: PipelineSpec): boolean {
  return !!(
    spec.batch ||
    spec.retry ||
    spec.timeout ||
    spec.breaker ||
    spec.bulkhead ||
    spec.rateLimit ||
    spec.hedge
  );
}
