import './di';

export { ExecutionUtils } from './execution-utils';
export type { HealthReport, MemoryStats, WrapBatchOptions, WrapOptions } from './execution-utils';
export type { HealthRates } from './service/health-window';
export { Cached } from './decorators/cached';
export { CachedBatch } from './decorators/cached-batch';
export { Retry } from './decorators/retry';
export { Timeout } from './decorators/timeout';
export { CircuitBreaker } from './decorators/circuit-breaker';
export { Bulkhead } from './decorators/bulkhead';
export { Fallback } from './decorators/fallback';
export { RateLimit } from './decorators/rate-limit';
export { Hedge } from './decorators/hedge';
export type { AnyMethod, AsyncMethod, BatchMethod, PolicyDecorator } from './decorators/types';
export type { CachedOptions, RefreshAhead, TenantMode } from './cache/cached-options';
export type { CachedBatchOptions } from './cache/cached-batch-options';
export type { RetrySpec } from './resilience/retry-options';
export type { TimeoutOptions } from './resilience/timeout-options';
export type { CircuitBreakerDecoratorOptions, CircuitBreakerSpec } from './resilience/breaker-spec';
export type { BulkheadDecoratorOptions } from './resilience/bulkhead-spec';
export type { FallbackOptions, FallbackSpec } from './resilience/fallback-options';
export type { FaultSpec } from './resilience/fault-options';
export type { RateLimitDecoratorOptions } from './resilience/rate-limit-spec';
export type { HedgeDecoratorOptions, HedgeDelay, HedgeOptions } from './resilience/hedge-options';
export type { RateLimiterOptions } from './resilience/rate-limiter';
export { runWithContext, getExecutionContext, currentSignal } from './context';
export type { ExecutionContext } from './context';
export {
  BatchItemsError,
  BulkheadRejectedError,
  CacheKeyError,
  CircuitOpenError,
  ConfigError,
  InjectedFaultError,
  RateLimitedError,
  TimeoutError,
  UnencodableValueError,
} from './errors';
export type { FailedItem } from './errors';
export type { ExecutionUtilsOptions, OperationProfile, ResolvedOptions } from './options';
export type { RedisTierOptions } from './cache/redis/redis-options';
export type {
  RedisClientLike,
  RedisNodeLike,
  RedisSubscriberLike,
} from './cache/redis/redis-client';
export type { RemoteHealth } from './cache/remote-tier';
export type { Jitter, RetryInfo, RetryOptions } from './resilience/retry-options';
export type { Stats } from './observability/stats';
export type {
  ExecutionEventName,
  ExecutionEvents,
  ExecutionListener,
  TimeoutScope,
  UncachedReason,
} from './observability/events';
export type {
  MetricsOptions,
  MetricsRegistry,
  RegisterMetricsOptions,
} from './observability/metrics';
export { CALL_CHANNEL_NAME } from './observability/call-trace';
export type { CacheOutcome, CallTraceContext } from './observability/call-trace';
export type {
  OpenTelemetryOptions,
  OpenTelemetrySpan,
  OpenTelemetryTracer,
  TracingOptions,
} from './observability/open-telemetry';
export type { Logger } from './observability/logging';
export type { CircuitBreakerOptions, CircuitState } from './resilience/circuit-breaker';
export type { BulkheadOptions } from './resilience/bulkhead';
export type { RetryBudgetOptions } from './resilience/retry-budget';
export type { AdaptiveTimeoutOptions } from './resilience/latency-tracker';
export type { WarmUpOperation, WarmUpOptions, WarmUpResult } from './cache/warm-up';
export type { Clock } from './clock';
export { systemClock } from './clock';
export {
  /** @deprecated import it from 'execution-utils/testing' */
  ManualClock,
} from './testing/manual-clock';
