import { buildCacheKey } from './cache/cache-key';
import { MemoryStore, RESERVED_BYTES_PER_SLOT } from './cache/memory-store';
import { MISS } from './cache/store';
import { ServiceCache } from './cache/service-cache';
import type { Invalidation } from './cache/store';
import { RedisTier, type RemoteErrorReason } from './cache/redis/redis-tier';
import { resolveRedisOptions } from './cache/redis/redis-options';
import type { RemoteHealth } from './cache/remote-tier';
import {
  warmUp,
  type WarmUpOperation,
  type WarmUpOptions,
  type WarmUpResult,
} from './cache/warm-up';
import { sleep, systemClock, type Clock } from './clock';
import { currentCancellation, currentSignal } from './context';
import type {
  AnyMethod,
  AsyncMethod,
  BulkheadDecoratorOptions,
  CachedOptions,
  CircuitBreakerSpec,
  PolicySet,
  RetrySpec,
  TimeoutOptions,
} from './decorators/types';
import { toTimeoutOptions, validatePolicies } from './decorators/validate';
import {
  checkFunction,
  checkName,
  checkOneOf,
  checkOptionsObject,
  checkString,
  fail,
  optional,
  checkPositiveInteger,
  checkTimeoutMs,
  checkTtlMs,
} from './validation';
import {
  optionsFromEnv,
  resolveOptions,
  type ExecutionUtilsOptions,
  type ResolvedOptions,
} from './options';
import { validateRetryOptions, type RetryOptions } from './resilience/retry-options';
import { StatsBook, type Stats } from './observability/stats';
import {
  EVENT_NAMES,
  EventBus,
  type ExecutionEventName,
  type ExecutionListener,
} from './observability/events';
import { Probe } from './observability/probe';
import {
  ServiceMetrics,
  type MetricsRegistry,
  type RegisterMetricsOptions,
} from './observability/metrics';
import type { CallSpans } from './observability/open-telemetry';
import { openTelemetrySpans } from './observability/otel-spans';
import { subscribeLogger } from './observability/logging';
import type { PipelineRuntime, PipelineSpec } from './pipeline/compile';
import { resolveRetryPolicy } from './pipeline/resolve-policies';
import type { MethodPolicies } from './decorators/method-policies';
import { Pipelines } from './pipeline/pipelines';
import { retrying, type RetryRuntime } from './resilience/retry';
import { withGuard } from './resilience/timeout';
import { retryWithinDeadline } from './resilience/deadline';
import { PolicyRegistry } from './resilience/registry';
import type { CircuitState } from './resilience/circuit-breaker';
import { VERSION } from './version';
import { ManualClock } from './testing/manual-clock';
import { ConfigError } from './errors';
import { isAsyncFunction } from './pipeline/returns-promise';
import { provideService } from './di';

/** Options of {@link ExecutionUtils.wrap}. */
export interface WrapOptions {
  /** Operation name: the cache-key name, the profile name and what errors report. */
  name: string;
  /** `true` for the default cache policy, or its options (as `@Cached`). */
  cache?: CachedOptions | boolean;
  /** A partial retry policy, or an operation profile name (as `@Retry`). */
  retry?: RetrySpec;
  /** Per-attempt timeout in ms, or its options (as `@Timeout`). */
  timeout?: number | TimeoutOptions;
  /** A circuit breaker (as `@CircuitBreaker`). */
  breaker?: CircuitBreakerSpec;
  /** A bulkhead (as `@Bulkhead`). */
  bulkhead?: BulkheadDecoratorOptions;
}

export interface HealthReport {
  /** `'unhealthy'` once closed only: a Redis tier that is down degrades, it does not fail. */
  status: 'healthy' | 'unhealthy';
  /** `Date.now()` when the report was made. */
  timestamp: number;
  cacheSize: number;
  version: string;
  error?: string;
  /** Each cache tier: the in-process one, and Redis when configured (with its round trip). */
  tiers: {
    memory: { status: 'up' | 'off'; size: number };
    redis?: RemoteHealth & { errors: number };
  };
}

export interface MemoryStats {
  cacheSize: number;
  maxCacheSize: number;
  /**
   * The bytes held by cache entries: the exact sum charged with `cacheMaxBytes`, else an
   * estimate made by walking the entries (bounded per entry; getters are never run).
   */
  cacheMemoryBytes: number;
  /**
   * Bytes lru-cache reserves up front for `maxCacheSize` slots (~40 B each), held even while the
   * cache is empty.
   */
  reservedBytes: number;
  /** Entries that will expire (TTL not 0). */
  ttlEntries: number;
}

/**
 * The service behind the decorators: owns the cache, the counters and the policy defaults, and
 * runs every decorated call through the method's pipeline. Resolve it from the tsyringe container
 * (a default singleton is registered), or register your own instance to configure it:
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
  private readonly stats = new StatsBook();
  private readonly bus = new EventBus();
  private readonly store: MemoryStore | undefined;
  /** The store, the shared tier and the loads in flight; undefined when caching is off. */
  private readonly cache: ServiceCache | undefined;
  private readonly operationTimeouts = new Map<string, number>();
  private readonly retryRuntime: RetryRuntime;
  private readonly policies: PolicyRegistry;
  private readonly pipelines = new Pipelines(() => this.runtime());
  private closed = false;
  /** The registries this service exports metrics to; made at the first registration. */
  private metrics: ServiceMetrics | undefined;
  /** OpenTelemetry spans; undefined unless `tracing.openTelemetry` is on. */
  private readonly spans: CallSpans | undefined;

  constructor(options: ExecutionUtilsOptions = {}) {
    this.options = resolveOptions(options);
    const clock = (this.clock = options.clock ?? systemClock);
    this.store =
      this.options.l1Size > 0
        ? new MemoryStore(
            this.options.l1Size,
            this.options.cacheTtl,
            clock,
            (key) => {
              this.stats.total.evictions++;
              if (this.bus.active.evict) this.bus.emit('evict', { key });
            },
            this.options.cacheMaxBytes,
            this.options.l1Ttl,
          )
        : undefined;
    this.cache = this.store && new ServiceCache(this.store, this.redisTier(options));
    this.retryRuntime = {
      sleep: options.sleep ?? ((ms, signal) => sleep(clock, ms, signal)),
      random: options.random ?? Math.random,
      now: () => clock.now(),
    };
    this.policies = new PolicyRegistry(
      this.options.operations,
      clock,
      this.options.retryBudget,
      (breaker, from, to) => {
        if (this.bus.active.breakerStateChange) {
          this.bus.emit('breakerStateChange', { breaker, from, to });
        }
      },
    );
    // Before metrics: a missing @opentelemetry/api fails the constructor before it registers.
    this.spans = openTelemetrySpans(options.tracing);
    if (options.logger) subscribeLogger(this.bus, options.logger);
    if (options.metrics !== undefined) this.metricsExport().register(options.metrics, 'metrics');
  }

  /**
   * Builds a service from environment variables (durations in SECONDS, as in the original):
   * `EXECUTION_CACHE_SIZE`, `EXECUTION_CACHE_TTL`, `EXECUTION_RETRY_ATTEMPTS`,
   * `EXECUTION_RETRY_BACKOFF`, `EXECUTION_DEFAULT_TIMEOUT`. `overrides` win over the environment.
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
   * A service for tests: a {@link ManualClock} (as `clock`) whose retry waits complete at once by
   * moving the clock, so retries, backoff and breakers run instantly; move it by hand with
   * `await utils.clock.advance(ms)` to fire timeouts or expire entries.
   *
   * @example
   * const utils = ExecutionUtils.forTesting();
   * container.registerInstance(ExecutionUtils, utils);
   * await expect(flaky.call()).resolves.toBe('ok');   // retried, no real waiting
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
   * without collisions (`1` and `'1'`, `{a: undefined}` and `{}` differ; object key order does
   * not matter). Throws `CacheKeyError` naming the argument that cannot be keyed.
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
   * const report = utils.getFromCache<Report>(utils.generateCacheKey('Reports.monthly', 'u1', 't1', [2024]));
   */
  getFromCache<T>(key: string): T | undefined {
    checkString('key', key);
    const value = this.store && !this.closed ? this.store.get(key) : MISS;
    if (value === MISS) {
      this.stats.total.misses++;
      return undefined;
    }
    this.stats.total.hits++;
    return value as T;
  }

  /**
   * Caches `value` under `key` for `ttl` ms (default `cacheTtl`; 0 = never expires).
   *
   * @example
   * utils.addToCache(utils.generateCacheKey('Rates.today', '', '', []), rates, 60_000);
   */
  addToCache(key: string, value: unknown, ttl?: number): void {
    checkString('key', key);
    if (ttl !== undefined) checkTtlMs('ttl', ttl);
    if (!this.store || this.closed) return;
    this.store.set(key, value, ttl);
    this.stats.total.sets++;
  }

  /**
   * A function decorator that retries with this service's defaults plus `overrides`
   * (the original's `create_retry_strategy`). `metricName` names the operation in `onRetry`.
   *
   * @example
   * const fetchUser = utils.createRetryStrategy('fetchUser', { attempts: 5 })(rawFetchUser);
   */
  createRetryStrategy(
    metricName = 'retry',
    overrides: Partial<RetryOptions> = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any signature is accepted
  ): <F extends (...args: any[]) => Promise<any>>(fn: F) => F {
    validateRetryOptions(overrides, `createRetryStrategy(${metricName})`);
    const policy = resolveRetryPolicy(
      overrides,
      metricName,
      this.options,
      this.policies,
      this.probe(metricName),
    );
    const runtime = this.retryRuntime;
    return <F extends AsyncMethod>(fn: F): F => {
      checkFunction(`createRetryStrategy(${metricName})(fn)`, fn);
      return function (this: unknown, ...args: unknown[]) {
        return retrying(
          (thisArg, a) => fn.apply(thisArg, a) as Promise<unknown>,
          this,
          args,
          policy,
          runtime,
          currentCancellation(),
        );
      } as unknown as F;
    };
  }

  /**
   * Runs `fn` with a signal that aborts after `ms`; the returned promise rejects with
   * `TimeoutError` at that moment, whether or not `fn` stops (the original's `timeout_context`,
   * with real cancellation).
   *
   * @example
   * const page = await utils.withTimeout(2_000, (signal) => fetch(url, { signal }));
   */
  withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T> | T): Promise<T> {
    checkTimeoutMs('ms', ms);
    checkFunction('fn', fn);
    const operation = fn.name || 'withTimeout';
    const probe = this.probe(operation);
    return withGuard(
      // Inside the attempt, currentSignal() is the attempt's own signal.
      () => fn(currentSignal()!),
      undefined,
      [],
      { ms, operation, clock: this.clock, onTimeout: (limit) => probe.timeout('attempt', limit) },
      currentCancellation(),
    );
  }

  /**
   * Calls `fn(...args)` with retries (the service's defaults) under ONE deadline of `timeout` ms
   * that bounds the whole call: it aborts the running attempt or wait, never waits past the
   * deadline, and rejects with `TimeoutError` whose `cause` is the last attempt's error.
   *
   * @example
   * const user = await utils.executeWithRetryAndTimeout(api.getUser, 5_000, 'user-1');
   */
  executeWithRetryAndTimeout<T>(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any signature is accepted
    fn: (...args: any[]) => Promise<T>,
    timeout: number,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ...args: any[]
  ): Promise<T> {
    checkFunction('fn', fn);
    checkTimeoutMs('timeout', timeout);
    const operation = fn.name || 'executeWithRetryAndTimeout';
    const probe = this.probe(operation);
    const policy = resolveRetryPolicy({}, operation, this.options, this.policies, probe);
    return retryWithinDeadline(
      (_, a) => fn(...a),
      undefined,
      args,
      timeout,
      policy,
      this.retryRuntime,
      this.clock,
      (limit) => probe.timeout('total', limit),
    );
  }

  /**
   * Sets the per-attempt timeout of an operation (`Class.method`, a `@Timeout({ operation })`
   * name, or a `wrap` name); it beats the profile and the decorator, from the next call on.
   *
   * @example
   * utils.setOperationTimeout('Search.query', 1_500);
   */
  setOperationTimeout(operation: string, ms: number): void {
    checkName('operation', operation);
    checkTimeoutMs(`setOperationTimeout(${operation})`, ms);
    this.operationTimeouts.set(operation, ms);
    this.pipelines.reset();
  }

  /**
   * Loads entries ahead of traffic, keyed like {@link generateCacheKey} so decorated calls hit
   * them. Already cached entries are skipped (all of them when caching is off or the service is
   * closed); failures are counted, never thrown.
   *
   * @example
   * await utils.warmUpCache([{ funcName: 'Reports.monthly', userId: 'u1', taskId: 't1',
   *   args: [2024], func: (year: number) => reports.load(year) }], { concurrency: 4 });
   */
  warmUpCache(ops: WarmUpOperation[], opts: WarmUpOptions = {}): Promise<WarmUpResult> {
    if (!Array.isArray(ops)) fail('ops', ops, 'an array of operations');
    checkOptionsObject('warmUpCache options', opts);
    const { concurrency = 10, onProgress } = opts;
    checkPositiveInteger('concurrency', concurrency);
    optional(checkFunction)('onProgress', onProgress);
    if (!this.store || this.closed) {
      // Nothing can be cached (cacheSize 0, or closed): loading would only cost the backend.
      return Promise.resolve({ warmed: 0, skipped: ops.length, failed: 0 });
    }
    return warmUp(
      {
        keyOf: (op) => this.generateCacheKey(op.funcName, op.userId, op.taskId, op.args, op.kwargs),
        has: (key) => this.store!.has(key),
        set: (key, value, ttl) => this.addToCache(key, value, ttl),
      },
      ops,
      concurrency,
      onProgress,
    );
  }

  /**
   * The state of the circuit breaker `name`; `'closed'` for one no call has used yet.
   *
   * @example
   * if (utils.getCircuitState('Payments.charge') === 'open') showDegradedBanner();
   */
  getCircuitState(name: string): CircuitState {
    checkName('name', name);
    return this.policies.circuitState(name);
  }

  /**
   * Forces the breaker `name` open until {@link reset}: its calls fail at once with
   * `CircuitOpenError` (`retryAfterMs: Infinity`). Works for a name no call has used yet.
   */
  isolate(name: string): void {
    checkName('name', name);
    this.policies.breaker(name).isolate();
  }

  /**
   * Closes the breaker `name` and forgets its failures (also ends an {@link isolate}).
   *
   * @example
   * utils.isolate('Payments.charge'); // maintenance window
   * utils.reset('Payments.charge');
   */
  reset(name: string): void {
    checkName('name', name);
    this.policies.breaker(name).reset();
  }

  /**
   * Whether the service can serve: unhealthy once closed.
   *
   * @example
   * app.get('/health', async () => utils.health());
   */
  async health(): Promise<HealthReport> {
    const remote = this.closed ? undefined : this.cache?.remote;
    const report: HealthReport = {
      status: this.closed ? 'unhealthy' : 'healthy',
      timestamp: Date.now(),
      cacheSize: this.store?.size ?? 0,
      version: VERSION,
      tiers: {
        memory: { status: this.store && !this.closed ? 'up' : 'off', size: this.store?.size ?? 0 },
      },
    };
    if (remote) {
      report.tiers.redis = { ...(await remote.health()), errors: this.stats.total.remoteErrors };
    }
    if (this.closed) report.error = 'ExecutionUtils is closed';
    return report;
  }

  /**
   * A snapshot of the counters, with `hitRate`.
   *
   * @example
   * const { hitRate, retries, timeouts } = utils.getStats();
   */
  getStats(operation?: string): Stats {
    if (operation !== undefined) checkName('operation', operation);
    return this.stats.snapshot(operation);
  }

  /**
   * Operations that have reported anything, for per-operation stats and gauges.
   *
   * @example
   * for (const op of utils.operations()) console.log(op, utils.getStats(op).hitRate);
   */
  operations(): string[] {
    return this.stats.operationNames();
  }

  /**
   * Listens to one kind of event of every call of this service (see {@link ExecutionEvents}).
   * A listener's errors are ignored; an event nobody listens to costs nothing.
   *
   * @example
   * utils.on('retry', ({ operation, attempt, delayMs }) => log.warn({ operation, attempt, delayMs }));
   */
  on<E extends ExecutionEventName>(event: E, listener: ExecutionListener<E>): this {
    checkOneOf(EVENT_NAMES)('event', event);
    checkFunction('listener', listener);
    this.bus.on(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on}; unknown listeners are ignored. */
  off<E extends ExecutionEventName>(event: E, listener: ExecutionListener<E>): this {
    this.bus.off(event, listener);
    return this;
  }

  /**
   * Exports this service's metrics (`cache_hits_total`, `operation_duration_seconds`... labelled
   * `operation_type`) on a prom-client registry. Several services on one registry share the
   * metrics, which sum them; registering the same service again does nothing; `close()` detaches
   * it. Counters count from registration on and are read at scrape time, so a cache hit costs
   * nothing more. Throws `ConfigError` if prom-client (an optional peer dependency) is missing.
   *
   * @example
   * import { Registry } from 'prom-client';
   * const registry = new Registry();
   * utils.registerMetrics(registry, { prefix: 'billing_' });
   * app.get('/metrics', async () => registry.metrics());
   */
  registerMetrics(registry: MetricsRegistry, options: RegisterMetricsOptions = {}): this {
    checkOptionsObject('registerMetrics options', options);
    this.metricsExport().register({ ...options, registry }, 'registerMetrics');
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
    return {
      cacheSize: this.store?.size ?? 0,
      maxCacheSize: this.options.l1Size,
      cacheMemoryBytes: this.store?.estimateBytes() ?? 0,
      reservedBytes: (this.store?.max ?? 0) * RESERVED_BYTES_PER_SLOT,
      ttlEntries: this.store?.ttlEntries() ?? 0,
    };
  }

  /**
   * Drops every entry. A load in flight when it runs will not write its (older) result back.
   *
   * @example
   * afterEach(() => utils.clearCache());
   */
  clearCache(): Promise<void> {
    return this.invalidateWhat({ kind: 'all' }).then(() => undefined);
  }

  /**
   * Drops the entry under `key` (as {@link generateCacheKey} builds it, or `addToCache` took it),
   * in this process and, with a Redis tier, in Redis and every other process. Resolves with the
   * number of entries dropped in this process (0 or 1). A load of that key in flight does not
   * write its result back.
   *
   * @example
   * await utils.invalidate(utils.generateCacheKey('ProjectService.get', 'user-1', '', [42]));
   */
  invalidate(key: string): Promise<number> {
    checkString('key', key);
    return this.invalidateWhat({ kind: 'key', key });
  }

  /**
   * Drops every entry of one operation (a decorated method's `Class.method` or `@Cached` name).
   *
   * @example
   * await utils.invalidateOperation('ProjectService.get');
   */
  invalidateOperation(name: string): Promise<number> {
    checkName('name', name);
    return this.invalidateWhat({ kind: 'operation', name });
  }

  /**
   * Drops every entry keyed by the tenant `userId`, across operations.
   *
   * @example
   * await utils.invalidateTenant('user-1');
   */
  invalidateTenant(userId: string): Promise<number> {
    checkName('userId', userId);
    return this.invalidateWhat({ kind: 'tenant', id: userId });
  }

  /**
   * Drops every entry carrying any of `tags` (given by `@Cached({ tags })`).
   *
   * @example
   * await utils.invalidateTags([`project:${id}`]);
   */
  invalidateTags(tags: readonly string[]): Promise<number> {
    if (!Array.isArray(tags)) fail('tags', tags, 'an array of tag strings');
    const copy = (tags as readonly string[]).slice();
    copy.forEach((tag, i) => checkName(`tags[${i}]`, tag));
    return this.invalidateWhat({ kind: 'tags', tags: copy });
  }

  /** The Redis tier the options ask for, reporting to this service's counters and events. */
  private redisTier(options: ExecutionUtilsOptions): RedisTier | undefined {
    if (options.redis === undefined) return undefined;
    const resolved = resolveRedisOptions(options.redis, options.namespace);
    return new RedisTier(resolved, {
      error: (command: string, reason: RemoteErrorReason, error?: unknown) => {
        this.stats.total.remoteErrors++;
        if (reason === 'decode') this.stats.total.remoteDecodeErrors++;
        if (this.bus.active.remoteError) this.bus.emit('remoteError', { command, reason, error });
      },
      invalidated: (what) => {
        if (this.cache) this.countInvalidated(what, this.cache.dropLocal(what), 'remote');
      },
      resync: () => {
        const all: Invalidation = { kind: 'all' };
        if (this.cache) this.countInvalidated(all, this.cache.dropLocal(all), 'reconnect');
      },
      breakerStateChange: (from, to) => {
        if (this.bus.active.breakerStateChange) {
          this.bus.emit('breakerStateChange', { breaker: `redis:${resolved.namespace}`, from, to });
        }
      },
    });
  }

  private async invalidateWhat(what: Invalidation): Promise<number> {
    if (!this.cache) return 0;
    // A closed service's Redis connections are gone: only its own entries are left to drop.
    const dropped = this.closed ? this.cache.dropLocal(what) : await this.cache.invalidate(what);
    this.countInvalidated(what, dropped, 'local');
    return dropped;
  }

  private countInvalidated(
    what: Invalidation,
    dropped: number,
    origin: 'local' | 'remote' | 'reconnect',
  ): void {
    this.stats.total.invalidated += dropped;
    if (this.bus.active.invalidated) {
      this.bus.emit('invalidated', { kind: what.kind, dropped, origin });
    }
  }

  /**
   * Empties the cache and stops caching: later calls still run, with retry and timeouts, but
   * nothing is cached and `health()` reports unhealthy. Idempotent.
   *
   * @example
   * process.on('SIGTERM', () => void utils.close());
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache?.dropLocal({ kind: 'all' });
    this.pipelines.reset();
    this.metrics?.detachAll();
    await this.cache?.remote?.close();
  }

  /**
   * Applies the same pipeline as the decorators to a plain function.
   *
   * @example
   * const getRates = utils.wrap(fetchRates, { name: 'rates', cache: { tenant: 'shared' }, retry: {}, timeout: 2_000 });
   */
  wrap<F extends AnyMethod>(fn: F, options: WrapOptions): F {
    checkFunction('wrap(fn)', fn);
    checkOptionsObject('wrap options', options);
    if (typeof options.name !== 'string' || !options.name) {
      throw new ConfigError('wrap.name', 'give the wrapped function a name');
    }
    const { name, cache, timeout, ...rest } = options;
    const policies: PolicySet = {
      ...rest,
      cache: cache === true ? {} : cache || undefined,
      timeout:
        timeout === undefined ? undefined : toTimeoutOptions(timeout, `wrap(${name}).timeout`),
    };
    validatePolicies(policies, (policy) => `wrap(${name}).${policy}`);
    const spec: PipelineSpec = {
      ...policies,
      operation: policies.cache?.name ?? name,
      identity: fn,
      explicitName: true,
      original: fn,
      returnsPromise: isAsyncFunction(fn) ? true : undefined,
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper needs its own `this`
    const utils = this;
    return function (this: unknown, ...args: unknown[]) {
      return utils.pipelines.of(spec, spec)(this, args);
    } as F;
  }

  /** @internal Runs a decorated method's call; the trampoline's only entry into the service. */
  invokeDecorated(policies: MethodPolicies, thisArg: unknown, args: unknown[]): unknown {
    return this.pipelines.runDecorated(policies, thisArg, args);
  }

  private runtime(): PipelineRuntime {
    return {
      options: this.options,
      clock: this.clock,
      probe: (operation) => this.probe(operation),
      retry: this.retryRuntime,
      operationTimeouts: this.operationTimeouts,
      policies: this.policies,
      cache: this.closed ? undefined : this.cache,
      spans: this.spans,
    };
  }

  private metricsExport(): ServiceMetrics {
    return (this.metrics ??= new ServiceMetrics({
      stats: this.stats,
      bus: this.bus,
      policies: this.policies,
      cacheSize: () => this.store?.size ?? 0,
    }));
  }

  /** The probe one operation's stages report through. */
  private probe(operation: string): Probe {
    return new Probe(operation, this.clock, this.stats.of(operation), this.stats.total, this.bus);
  }
}

// Decorated methods resolve the service through the container; the layers below never import it.
provideService(ExecutionUtils);
