import type { WarmUpOperation, WarmUpOptions, WarmUpResult } from './cache/warm-up';
import type { Clock } from './clock';
import type { MethodPolicies } from './decorators/method-policies';
import type { AnyMethod, AsyncMethod, BatchMethod } from './decorators/types';
import { provideService } from './di';
import {
  EVENT_NAMES,
  type ExecutionEventName,
  type ExecutionListener,
} from './observability/events';
import type { MetricsRegistry, RegisterMetricsOptions } from './observability/metrics';
import type { Stats } from './observability/stats';
import { optionsFromEnv, type ExecutionUtilsOptions, type ResolvedOptions } from './options';
import type { CircuitState } from './resilience/circuit-breaker';
import type { RetryOptions } from './resilience/retry-options';
import { validateFaultSpec, type FaultSpec } from './resilience/fault-options';
import { addToCache, getFromCache, warmUpCache } from './service/direct-cache';
import { health, memoryStats, type HealthReport, type MemoryStats } from './service/health';
import { invalidate, invalidations } from './service/invalidation';
import * as original from './service/original-methods';
import { ServiceCore } from './service/service-core';
import {
  wrapBatchFunction,
  wrapFunction,
  type WrapBatchOptions,
  type WrapOptions,
} from './service/wrap';
import { buildCacheKey } from './cache/cache-key';
import { ManualClock } from './testing/manual-clock';
import {
  checkFunction,
  checkName,
  checkOneOf,
  checkOptionsObject,
  checkTimeoutMs,
} from './validation';

export type { HealthReport, MemoryStats, WrapBatchOptions, WrapOptions };

/**
 * The service behind the decorators: owns the cache, the counters and the policy defaults, and
 * runs every decorated call through the method's pipeline. Resolve it from the tsyringe container
 * (a default singleton is registered), or register your own instance to configure it. Each
 * method is a face over a module of `src/service/`.
 *
 * @example
 * container.registerInstance(ExecutionUtils, new ExecutionUtils({ cacheSize: 10_000 }));
 * const utils = container.resolve(ExecutionUtils);
 */
export class ExecutionUtils {
  /** The validated options, defaults applied. */
  readonly options: ResolvedOptions;
  /** The time source: the system clock, or the one passed in the options. */
  readonly clock: Clock;
  private readonly core: ServiceCore;

  constructor(options: ExecutionUtilsOptions = {}) {
    this.core = new ServiceCore(options);
    this.options = this.core.options;
    this.clock = this.core.clock;
  }

  /**
   * A service from environment variables (durations in SECONDS, as in the original):
   * `EXECUTION_CACHE_SIZE`, `EXECUTION_CACHE_TTL`, `EXECUTION_RETRY_ATTEMPTS`,
   * `EXECUTION_RETRY_BACKOFF`, `EXECUTION_DEFAULT_TIMEOUT`, `EXECUTION_REDIS_URL`; `overrides` win.
   *
   * @example
   * container.registerInstance(ExecutionUtils, ExecutionUtils.fromEnv());
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    overrides: ExecutionUtilsOptions = {},
  ): ExecutionUtils {
    return new ExecutionUtils(optionsFromEnv(env, overrides));
  }

  /**
   * A service for tests: a {@link ManualClock} whose retry waits complete at once by moving the
   * clock; move it by hand with `await utils.clock.advance(ms)` to fire timeouts or expire entries.
   *
   * @example
   * const utils = ExecutionUtils.forTesting();
   * container.registerInstance(ExecutionUtils, utils);
   */
  static forTesting(
    options: Omit<ExecutionUtilsOptions, 'clock' | 'sleep'> = {},
  ): ExecutionUtils & { readonly clock: ManualClock } {
    checkOptionsObject('forTesting options', options);
    const clock = new ManualClock();
    const utils = new ExecutionUtils({
      ...options,
      clock,
      sleep: (ms, signal) => clock.sleep(ms, signal),
    });
    return utils as ExecutionUtils & { readonly clock: ManualClock };
  }

  /**
   * The cache key of a call, the same in every process: operation, tenant and arguments, encoded
   * without collisions. Throws `CacheKeyError` naming the argument that cannot be keyed.
   *
   * @example
   * utils.generateCacheKey('Reports.monthly', 'user-1', 'task-1', [2024, { region: 'eu' }]);
   */
  generateCacheKey(
    funcName: string,
    userId: string,
    taskId: string,
    args: unknown[],
    kwargs?: Record<string, unknown>,
  ): string {
    return buildCacheKey(funcName, userId, taskId, args, kwargs);
  }

  /**
   * The cached value, or `undefined` when missing or expired. Counts a hit or a miss.
   *
   * @example
   * const report = utils.getFromCache<Report>(key);
   */
  getFromCache<T>(key: string): T | undefined {
    return getFromCache<T>(this.core, key);
  }

  /**
   * Caches `value` under `key` for `ttl` ms (default `cacheTtl`; 0 = never expires).
   *
   * @example
   * utils.addToCache(utils.generateCacheKey('Rates.today', '', '', []), rates, 60_000);
   */
  addToCache(key: string, value: unknown, ttl?: number): void {
    addToCache(this.core, key, value, ttl);
  }

  /**
   * A function decorator that retries with this service's defaults plus `overrides` (the
   * original's `create_retry_strategy`). `metricName` names the operation in `onRetry`.
   *
   * @example
   * const fetchUser = utils.createRetryStrategy('fetchUser', { attempts: 5 })(rawFetchUser);
   */
  createRetryStrategy(
    metricName = 'retry',
    overrides: Partial<RetryOptions> = {},
  ): <F extends AsyncMethod>(fn: F) => F {
    return original.createRetryStrategy(this.core, metricName, overrides);
  }

  /**
   * Runs `fn` with a signal that aborts after `ms`; rejects with `TimeoutError` at that moment,
   * whether or not `fn` stops (the original's `timeout_context`, with real cancellation).
   *
   * @example
   * const page = await utils.withTimeout(2_000, (signal) => fetch(url, { signal }));
   */
  withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
    return original.withTimeout(this.core, ms, fn);
  }

  /**
   * Calls `fn(...args)` with retries under ONE deadline of `timeout` ms for the whole call: the
   * running attempt or wait is aborted, and `TimeoutError.cause` is the last attempt's error.
   *
   * @example
   * const user = await utils.executeWithRetryAndTimeout(api.getUser, 5_000, 'user-1');
   */
  executeWithRetryAndTimeout<T>(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any signature is accepted
    fn: (...args: any[]) => Promise<T>,
    timeout: number,
    ...args: unknown[]
  ): Promise<T> {
    return original.executeWithRetryAndTimeout(this.core, fn, timeout, args);
  }

  /**
   * Sets the per-attempt timeout of an operation; it beats the profile and the decorator.
   *
   * @example
   * utils.setOperationTimeout('Search.query', 1_500);
   */
  setOperationTimeout(operation: string, ms: number): void {
    checkName('operation', operation);
    checkTimeoutMs(`setOperationTimeout(${operation})`, ms);
    this.core.operationTimeouts.set(operation, ms);
    this.core.pipelines.reset();
  }

  /**
   * Injects faults into an operation's attempts from now on (replacing any it had), for tests and
   * staging: see `FaultSpec`. The operation's pipeline is rebuilt with a fault stage innermost,
   * so every policy sees the faults as the method's own failures.
   *
   * @example
   * utils.injectFaults('Payments.charge', { failRate: 0.2, latencyMs: 300, latencyRate: 0.05 });
   */
  injectFaults(operation: string, spec: FaultSpec): void {
    checkName('injectFaults(operation)', operation);
    validateFaultSpec(spec, `injectFaults(${operation})`);
    this.core.faults.set(operation, { ...spec });
    this.core.pipelines.reset();
  }

  /**
   * Stops injecting faults into `operation`, or into every operation when none is named; calls
   * run without a fault stage again.
   */
  clearFaults(operation?: string): void {
    if (operation === undefined) this.core.faults.clear();
    else this.core.faults.delete(operation);
    this.core.pipelines.reset();
  }

  /**
   * Loads entries ahead of traffic, keyed like {@link generateCacheKey}; cached ones are skipped
   * and failures counted, never thrown.
   *
   * @example
   * await utils.warmUpCache([{ funcName: 'Reports.monthly', userId: 'u1', taskId: 't1',
   *   args: [2024], func: (year: number) => reports.load(year) }], { concurrency: 4 });
   */
  warmUpCache(ops: WarmUpOperation[], opts: WarmUpOptions = {}): Promise<WarmUpResult> {
    return warmUpCache(this.core, ops, opts);
  }

  /**
   * The state of the circuit breaker `name`; `'closed'` for one no call has used yet.
   *
   * @example
   * if (utils.getCircuitState('Payments.charge') === 'open') showDegradedBanner();
   */
  getCircuitState(name: string): CircuitState {
    checkName('name', name);
    return this.core.policies.circuitState(name);
  }

  /**
   * Forces the breaker `name` open until {@link reset}: its calls fail at once with
   * `CircuitOpenError` (`retryAfterMs: Infinity`).
   *
   * @example
   * utils.isolate('Payments.charge'); // maintenance window
   */
  isolate(name: string): void {
    checkName('name', name);
    this.core.breaker(name).isolate();
  }

  /**
   * Closes the breaker `name` and forgets its failures (also ends an {@link isolate}).
   *
   * @example
   * utils.reset('Payments.charge');
   */
  reset(name: string): void {
    checkName('name', name);
    this.core.breaker(name).reset();
  }

  /**
   * Whether the service can serve, tier by tier: degraded while Redis is down, unhealthy once closed.
   *
   * @example
   * app.get('/health', async () => utils.health());
   */
  health(): Promise<HealthReport> {
    return health(this.core);
  }

  /**
   * A snapshot of the counters, with `hitRate`, of one operation or of all.
   *
   * @example
   * const { hitRate, retries, timeouts } = utils.getStats();
   */
  getStats(operation?: string): Stats {
    if (operation !== undefined) checkName('operation', operation);
    return this.core.stats.snapshot(operation);
  }

  /**
   * Operations that have reported anything, for per-operation stats and gauges.
   *
   * @example
   * for (const op of utils.operations()) console.log(op, utils.getStats(op).hitRate);
   */
  operations(): string[] {
    return this.core.stats.operationNames();
  }

  /**
   * Listens to one kind of event of every call (see {@link ExecutionEvents}); a listener's errors
   * are ignored, and an event nobody listens to costs nothing.
   *
   * @example
   * utils.on('retry', ({ operation, attempt, delayMs }) => log.warn({ operation, attempt, delayMs }));
   */
  on<E extends ExecutionEventName>(event: E, listener: ExecutionListener<E>): this {
    checkOneOf(EVENT_NAMES)('event', event);
    checkFunction('listener', listener);
    this.core.bus.on(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on}; unknown listeners are ignored. */
  off<E extends ExecutionEventName>(event: E, listener: ExecutionListener<E>): this {
    this.core.bus.off(event, listener);
    return this;
  }

  /**
   * Exports this service's metrics on a prom-client registry, read at scrape time (a hit costs
   * nothing more). Services on one registry share and sum the metrics; `close()` detaches it.
   * Throws `ConfigError` if prom-client (an optional peer dependency) is missing.
   *
   * @example
   * utils.registerMetrics(registry, { prefix: 'billing_' });
   */
  registerMetrics(registry: MetricsRegistry, options: RegisterMetricsOptions = {}): this {
    checkOptionsObject('registerMetrics options', options);
    this.core.metricsExport().register({ ...options, registry }, 'registerMetrics');
    return this;
  }

  /**
   * The cache's size and an estimate of the memory its entries hold (walks the entries: call it
   * for monitoring, not per request).
   *
   * @example
   * const { cacheSize, cacheMemoryBytes } = utils.getMemoryStats();
   */
  getMemoryStats(): MemoryStats {
    return memoryStats(this.core);
  }

  /**
   * Drops every entry, in every tier. A load in flight will not write its (older) result back.
   *
   * @example
   * afterEach(() => utils.clearCache());
   */
  clearCache(): Promise<void> {
    return invalidate(this.core, { kind: 'all' }).then(() => undefined);
  }

  /**
   * Drops the entry under `key` here, in Redis and in every other process; resolves with the
   * number dropped in this process (0 or 1). A load of that key in flight is not written back.
   *
   * @example
   * await utils.invalidate(utils.generateCacheKey('ProjectService.get', 'user-1', '', [42]));
   */
  invalidate(key: string): Promise<number> {
    return invalidate(this.core, invalidations.key(key));
  }

  /**
   * Drops every entry of one operation (`Class.method` or the `@Cached` name).
   *
   * @example
   * await utils.invalidateOperation('ProjectService.get');
   */
  invalidateOperation(name: string): Promise<number> {
    return invalidate(this.core, invalidations.operation(name));
  }

  /**
   * Drops every entry keyed by the tenant `userId`, across operations.
   *
   * @example
   * await utils.invalidateTenant('user-1');
   */
  invalidateTenant(userId: string): Promise<number> {
    return invalidate(this.core, invalidations.tenant(userId));
  }

  /**
   * Drops every entry carrying any of `tags` (given by `@Cached({ tags })`).
   *
   * @example
   * await utils.invalidateTags([`project:${id}`]);
   */
  invalidateTags(tags: readonly string[]): Promise<number> {
    return invalidate(this.core, invalidations.tags(tags));
  }

  /**
   * Empties the cache and stops caching: later calls still run, with retry and timeouts, but
   * nothing is cached and `health()` reports unhealthy. Idempotent.
   *
   * @example
   * process.on('SIGTERM', () => void utils.close());
   */
  close(): Promise<void> {
    return this.core.close();
  }

  /**
   * Applies the same pipeline as the decorators to a plain function.
   *
   * @example
   * const getRates = utils.wrap(fetchRates, { name: 'rates', cache: { tenant: 'shared' }, timeout: 2_000 });
   */
  wrap<F extends AnyMethod>(fn: F, options: WrapOptions): F {
    return wrapFunction(this.core, fn, options);
  }

  /**
   * Applies the `@CachedBatch` pipeline to a plain bulk function (an array of ids first).
   *
   * @example
   * const getUsers = utils.wrapBatch(fetchUsers, { name: 'user', ttl: 60_000, maxBatchSize: 100 });
   */
  wrapBatch<F extends BatchMethod>(fn: F, options: WrapBatchOptions): F {
    return wrapBatchFunction(this.core, fn, options);
  }

  /** @internal Runs a decorated method's call; the trampoline's only entry into the service. */
  invokeDecorated(policies: MethodPolicies, thisArg: unknown, args: unknown[]): unknown {
    return this.core.pipelines.runDecorated(policies, thisArg, args);
  }
}

// Decorated methods resolve the service through the container; the layers below never import it.
provideService(ExecutionUtils);
