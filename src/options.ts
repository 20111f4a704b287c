import type { Clock } from './clock';
import {
  BULKHEAD_OPTION_KEYS,
  validateBulkheadOptions,
  type BulkheadOptions,
} from './resilience/bulkhead';
import {
  CIRCUIT_BREAKER_OPTION_KEYS,
  validateCircuitBreakerOptions,
  type CircuitBreakerOptions,
} from './resilience/circuit-breaker';
import { validateRetryBudgetOptions, type RetryBudgetOptions } from './resilience/retry-budget';
import type { RefreshAhead, TenantMode } from './cache/cached-options';
import type { MetricsOptions } from './observability/metrics';
import type { RedisTierOptions } from './cache/redis/redis-options';
import { validateTracingOptions, type TracingOptions } from './observability/open-telemetry';
import { validateLogger, type Logger } from './observability/logging';
import {
  checkDelayOrder,
  checkJitter,
  RETRY_DEFAULTS,
  validateRetryOptions,
  type Jitter,
  type RetryOptions,
} from './resilience/retry-options';
import {
  checkFunction,
  checkKnownKeys,
  checkNonNegativeMs,
  checkOneOf,
  checkOptionsObject,
  checkPositiveInteger,
  checkTimeoutMs,
  checkTtlMs,
  fail,
  optionKeys,
  optional,
  type Check,
} from './validation';
import { checkRefreshAhead, checkTenantMode } from './cache/cached-options';
import { validateFallbackSpec, type FallbackSpec } from './resilience/fallback-options';
import { validateFaultSpec, type FaultSpec } from './resilience/fault-options';
import {
  HEDGE_OPTION_KEYS,
  validateHedgeOptions,
  type HedgeOptions,
} from './resilience/hedge-options';
import {
  RATE_LIMITER_OPTION_KEYS,
  validateRateLimiterOptions,
  type RateLimiterOptions,
} from './resilience/rate-limiter';

/**
 * The most entries `cacheSize` may ask for. The memory store reserves 32 B per slot up front
 * (1e6 slots ~32 MB, 1e7 ~320 MB, even while empty: see `getMemoryStats().reservedBytes`); 1e8
 * would abort the process out of memory.
 */
export const MAX_CACHE_SIZE = 10_000_000;

const checkCacheSize: Check = (label, v) => {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_CACHE_SIZE)) {
    fail(label, v, `an integer from 0 to ${MAX_CACHE_SIZE}`);
  }
};

/** Per-operation settings, keyed by operation name (`Class.method` by default). */
export interface OperationProfile {
  retry?: Partial<RetryOptions>;
  /** Per-attempt timeout in ms for `@Timeout` on this operation (`0` or `Infinity`: none). */
  timeout?: number;
  /** TTL in whole ms for `@Cached` on this operation (0 = never expires). */
  cacheTtl?: number;
  /** `@Cached` `refreshAhead` for this operation (it beats the decorator's and the service's). */
  refreshAhead?: RefreshAhead;
  /** Settings of the circuit breaker of this name (they beat the decorator's). */
  circuitBreaker?: CircuitBreakerOptions;
  /** Settings of the bulkhead of this name (they beat the decorator's). */
  bulkhead?: BulkheadOptions;
  /** A retry budget of this operation's own, instead of the shared `retryBudget` pool. */
  retryBudget?: RetryBudgetOptions;
  /** What this operation's failed calls return instead (it beats the method's `@Fallback`). */
  fallback?: FallbackSpec;
  /** Settings of the rate limiter of this name (they beat the decorator's). */
  rateLimit?: RateLimiterOptions;
  /** Settings of the hedge of this name (they beat the decorator's). */
  hedge?: HedgeOptions;
}

export interface ExecutionUtilsOptions {
  /**
   * Most entries the in-memory cache holds (LRU beyond that). Default 100; 0 disables caching; at
   * most 10,000,000 (the store reserves 32 B per slot up front, even while empty).
   */
  cacheSize?: number;
  /**
   * Bounds the cache by bytes as well as entries: each entry is charged its key, an estimate of
   * its value (strings by length, binary data by byte length, objects by their contents) and
   * ~112 B of bookkeeping; the least recently used go first, and an entry larger than the bound is
   * not stored. `getMemoryStats().cacheMemoryBytes` is then the exact sum charged. Costs one
   * estimate per write. Default: none (only `cacheSize` bounds the cache).
   */
  cacheMaxBytes?: number;
  /**
   * Default time to live of a cache entry, in whole ms. Default 3_600_000 (1 h); 0 = never
   * expires. An entry is a miss from the moment its TTL has passed (at exactly `ttl` ms).
   */
  cacheTtl?: number;
  /**
   * Whose entries a `@Cached` call without its own `tenant` may be served: `'optional'` (the
   * default) keys by the context's userId/taskId when there is one, so calls made outside
   * `runWithContext` share entries; `'required'` runs such calls uncached; `'shared'` keys no
   * tenant at all. Multi-tenant services should set `'required'`.
   */
  tenant?: TenantMode;
  /**
   * What the in-process tier keeps when it is full: `'lru'` (default) stores every new entry and
   * pushes out the least recently used; `'tinylfu'` counts how often each key is asked for (a
   * sketch of ~8 B per entry, aged by halving) and stores a new entry only if its key was asked
   * for more often than the entry it would push out, so a burst of one-off keys (a scan, a
   * crawler) does not push the hot set out.
   */
  cacheAdmission?: 'lru' | 'tinylfu';
  /**
   * Probabilistic early refresh for every `@Cached` method without its own `refreshAhead`
   * (see `RefreshAhead`). Default false.
   */
  refreshAhead?: RefreshAhead;
  /** Default total attempts of `@Retry`, including the first call. Default 3. */
  retryAttempts?: number;
  /** Default backoff base in ms: retry n waits `clamp(retryBackoff * 2^(n-1), min, max)`. Default 1000. */
  retryBackoff?: number;
  /** Default lower clamp of a retry wait, in ms. Default 1000. */
  retryMinDelay?: number;
  /** Default upper clamp of a retry wait, in ms. Default 10_000. */
  retryMaxDelay?: number;
  /**
   * Default jitter. `'equal'` (the default) waits between half and all of the clamped delay:
   * clients that failed together spread out (no synchronised retry storm), yet no retry fires
   * sooner than half its backoff. `'full'` waits 0..delay; `'none'` waits exactly the delay.
   */
  retryJitter?: Jitter;
  /**
   * Per-attempt timeout in ms used by `@Timeout()` without an argument. Default 30_000; `0` or
   * `Infinity`: no limit.
   */
  defaultTimeout?: number;
  /**
   * Caps retries at a share of the traffic, in one pool shared by every operation (a profile may
   * have its own): when it is spent, a failure is returned at once instead of retried. Default:
   * none (every failure gets its attempts).
   */
  retryBudget?: RetryBudgetOptions;
  /** Named per-operation profiles; a profile overrides what the decorator says. */
  operations?: Record<string, OperationProfile>;
  /** Time source for TTLs, timeouts and waits. Default: the system clock. */
  clock?: Clock;
  /** Waits between retries. Default: a timer on `clock`. Tests pass one that returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Exports Prometheus metrics through prom-client (an optional peer dependency, loaded only
   * when this is set): `{}` registers on prom-client's global `register`; see
   * `utils.registerMetrics`. Default: none.
   */
  metrics?: MetricsOptions;
  /**
   * Tracing beyond the `execution-utils:call` diagnostics channel (which every call is published
   * on anyway): `{ openTelemetry: true }` for one OpenTelemetry span per call. Default: none.
   */
  tracing?: TracingOptions;
  /**
   * Where retries, give-ups and calls that cannot be cached are logged: `console` or a
   * pino-compatible logger (`warn`, `error`, `debug`). Nothing is logged on the hit path.
   * Default: none (nothing is logged).
   */
  logger?: Logger;
  /**
   * A second cache tier in Redis, shared by every process of the same `namespace`: misses here are
   * looked up there, results are written to both, and invalidations reach every process. Needs
   * ioredis (an optional peer dependency, loaded only when this is set). Default: none.
   */
  redis?: RedisTierOptions;
  /**
   * Prefix of every Redis key and of the invalidation channel: processes share entries only
   * within one namespace. No spaces, braces or glob characters (`* ? [ ]` and backslash); `:` is fine.
   * Default `'execution-utils'`, the same in every application: applications on one Redis that
   * leave it unset share entries and each other's `clearCache()`, so give each its own (with a
   * `logger`, the service warns once when its Redis tier runs on the default).
   */
  namespace?: string;
  /**
   * The in-process tier in front of Redis: `size` entries (default `cacheSize`), each kept at
   * most `ttl` ms (default: its own TTL), which bounds how long a process that missed an
   * invalidation message can serve the old value.
   */
  l1?: { size?: number; ttl?: number };
  /**
   * Faults to inject into operations' attempts, by operation name, for tests and staging (see
   * `FaultSpec`; `injectFaults` and `clearFaults` change them later). Off unless set: an
   * operation without faults has no stage for them.
   */
  faults?: Record<string, FaultSpec>;
}

export const DEFAULTS = {
  cacheSize: 100,
  cacheTtl: 3_600_000,
  tenant: 'optional' as TenantMode,
  refreshAhead: false as RefreshAhead,
  cacheAdmission: 'lru' as 'lru' | 'tinylfu',
  retryAttempts: RETRY_DEFAULTS.attempts,
  retryBackoff: RETRY_DEFAULTS.backoff,
  retryMinDelay: RETRY_DEFAULTS.minDelay,
  retryMaxDelay: RETRY_DEFAULTS.maxDelay,
  retryJitter: RETRY_DEFAULTS.jitter,
  defaultTimeout: 30_000,
} as const;

export type ResolvedOptions = Required<
  Omit<
    ExecutionUtilsOptions,
    | 'operations'
    | 'clock'
    | 'sleep'
    | 'random'
    | 'retryBudget'
    | 'cacheMaxBytes'
    | 'metrics'
    | 'tracing'
    | 'logger'
    | 'redis'
    | 'namespace'
    | 'l1'
    | 'faults'
  >
> & {
  /** Most entries of the in-process tier (`l1.size`, else `cacheSize`). */
  readonly l1Size: number;
  /** Longest an entry is kept in process, in ms (`l1.ttl`); Infinity: its own TTL. */
  readonly l1Ttl: number;
  readonly cacheMaxBytes: number | undefined;
  readonly operations: Record<string, OperationProfile>;
  readonly retryBudget: RetryBudgetOptions | undefined;
};

const SERVICE_OPTION_KEYS = optionKeys<ExecutionUtilsOptions>({
  cacheSize: true,
  cacheMaxBytes: true,
  cacheTtl: true,
  tenant: true,
  refreshAhead: true,
  cacheAdmission: true,
  retryAttempts: true,
  retryBackoff: true,
  retryMinDelay: true,
  retryMaxDelay: true,
  retryJitter: true,
  defaultTimeout: true,
  retryBudget: true,
  operations: true,
  clock: true,
  sleep: true,
  random: true,
  metrics: true,
  tracing: true,
  logger: true,
  redis: true,
  namespace: true,
  l1: true,
  faults: true,
});
const L1_OPTION_KEYS = optionKeys<NonNullable<ExecutionUtilsOptions['l1']>>({
  size: true,
  ttl: true,
});
const PROFILE_OPTION_KEYS = optionKeys<OperationProfile>({
  retry: true,
  timeout: true,
  cacheTtl: true,
  refreshAhead: true,
  circuitBreaker: true,
  bulkhead: true,
  retryBudget: true,
  fallback: true,
  rateLimit: true,
  hedge: true,
});

/**
 * Applies defaults and validates every option; throws `ConfigError` naming the first bad one, or
 * an unknown key (`operations` excepted: its keys are operation names).
 */
export function resolveOptions(options: ExecutionUtilsOptions): ResolvedOptions {
  checkOptionsObject('ExecutionUtils options', options);
  checkKnownKeys('', options, SERVICE_OPTION_KEYS);
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  checkCacheSize('cacheSize', o.cacheSize);
  optional(checkPositiveInteger)('cacheMaxBytes', options.cacheMaxBytes);
  checkTtlMs('cacheTtl', o.cacheTtl);
  checkTenantMode('tenant', o.tenant);
  checkRefreshAhead('refreshAhead', o.refreshAhead);
  checkOneOf(['lru', 'tinylfu'])('cacheAdmission', o.cacheAdmission);
  checkPositiveInteger('retryAttempts', o.retryAttempts);
  checkNonNegativeMs('retryBackoff', o.retryBackoff);
  checkNonNegativeMs('retryMinDelay', o.retryMinDelay);
  checkNonNegativeMs('retryMaxDelay', o.retryMaxDelay);
  checkJitter('retryJitter', o.retryJitter);
  checkTimeoutMs('defaultTimeout', o.defaultTimeout);
  checkDelayOrder(o.retryMinDelay, o.retryMaxDelay, 'retryMinDelay');
  optional(checkFunction)('sleep', options.sleep);
  optional(checkFunction)('random', options.random);
  if (options.clock !== undefined) checkClock(options.clock);
  if (options.tracing !== undefined) validateTracingOptions(options.tracing, 'tracing');
  if (options.logger !== undefined) validateLogger(options.logger, 'logger');
  if (options.retryBudget !== undefined) {
    checkOptionsObject('retryBudget', options.retryBudget);
    validateRetryBudgetOptions(options.retryBudget, 'retryBudget');
  }
  if (options.operations !== undefined) checkOptionsObject('operations', options.operations);
  if (options.faults !== undefined) {
    checkOptionsObject('faults', options.faults);
    for (const [name, spec] of Object.entries(options.faults)) {
      validateFaultSpec(spec, `faults.${name}`);
    }
  }
  if (options.l1 !== undefined) {
    checkOptionsObject('l1', options.l1);
    checkKnownKeys('l1', options.l1, L1_OPTION_KEYS);
    optional(checkCacheSize)('l1.size', options.l1.size);
    optional(checkPositiveInteger)('l1.ttl', options.l1.ttl);
  }
  const operations = { ...(options.operations ?? {}) };
  for (const [name, profile] of Object.entries(operations)) {
    validateOperationProfile(name, profile);
  }
  return {
    cacheSize: o.cacheSize,
    cacheMaxBytes: options.cacheMaxBytes,
    cacheTtl: o.cacheTtl,
    l1Size: options.l1?.size ?? o.cacheSize,
    l1Ttl: options.l1?.ttl ?? Infinity,
    tenant: o.tenant,
    refreshAhead: o.refreshAhead,
    cacheAdmission: o.cacheAdmission,
    retryAttempts: o.retryAttempts,
    retryBackoff: o.retryBackoff,
    retryMinDelay: o.retryMinDelay,
    retryMaxDelay: o.retryMaxDelay,
    retryJitter: o.retryJitter,
    defaultTimeout: o.defaultTimeout,
    operations,
    retryBudget: options.retryBudget,
  };
}

function checkClock(clock: unknown): void {
  const c = clock as Partial<Clock> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.now !== 'function' ||
    typeof c.setTimer !== 'function' ||
    typeof c.clearTimer !== 'function'
  ) {
    fail('clock', clock, 'a Clock (now, setTimer and clearTimer methods)');
  }
}

export function validateOperationProfile(name: string, profile: OperationProfile): void {
  const where = `operations.${name}`;
  checkOptionsObject(where, profile);
  checkKnownKeys(where, profile, PROFILE_OPTION_KEYS);
  if (profile.retry !== undefined) validateRetryOptions(profile.retry, `${where}.retry`);
  optional(checkTimeoutMs)(`${where}.timeout`, profile.timeout);
  optional(checkTtlMs)(`${where}.cacheTtl`, profile.cacheTtl);
  checkRefreshAhead(`${where}.refreshAhead`, profile.refreshAhead);
  const part = `${where}.`;
  checkPart(
    part + 'circuitBreaker',
    profile.circuitBreaker,
    CIRCUIT_BREAKER_OPTION_KEYS,
    validateCircuitBreakerOptions,
  );
  checkPart(part + 'bulkhead', profile.bulkhead, BULKHEAD_OPTION_KEYS, validateBulkheadOptions);
  checkPart(part + 'retryBudget', profile.retryBudget, undefined, validateRetryBudgetOptions);
  checkPart(
    part + 'rateLimit',
    profile.rateLimit,
    RATE_LIMITER_OPTION_KEYS,
    validateRateLimiterOptions,
  );
  checkPart(part + 'hedge', profile.hedge, HEDGE_OPTION_KEYS, validateHedgeOptions);
  if (profile.fallback !== undefined) validateFallbackSpec(profile.fallback, `${where}.fallback`);
}

/** One policy's settings in a profile, when given: an object (of `keys` only), valid. */
function checkPart<T extends object>(
  label: string,
  settings: T | undefined,
  keys: readonly string[] | undefined,
  validate: (settings: T, label: string) => void,
): void {
  if (settings === undefined) return;
  checkOptionsObject(label, settings);
  if (keys) checkKnownKeys(label, settings, keys);
  validate(settings, label);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Environment variables read by `ExecutionUtils.fromEnv`. Durations there are in SECONDS (as in
 * the original), in steps of 0.001; an error quotes the variable's own text and unit.
 */
const ENV_VARIABLES = [
  {
    variable: 'EXECUTION_CACHE_SIZE',
    option: 'cacheSize',
    seconds: false,
    check: checkCacheSize,
    expected: `an integer from 0 to ${MAX_CACHE_SIZE}`,
  },
  {
    variable: 'EXECUTION_CACHE_TTL',
    option: 'cacheTtl',
    seconds: true,
    check: checkTtlMs,
    expected: 'seconds >= 0 in steps of 0.001 (0 = never expires)',
  },
  {
    variable: 'EXECUTION_RETRY_ATTEMPTS',
    option: 'retryAttempts',
    seconds: false,
    check: checkPositiveInteger,
    expected: 'an integer >= 1',
  },
  {
    variable: 'EXECUTION_RETRY_BACKOFF',
    option: 'retryBackoff',
    seconds: true,
    check: checkNonNegativeMs,
    expected: 'finite seconds >= 0',
  },
  {
    variable: 'EXECUTION_DEFAULT_TIMEOUT',
    option: 'defaultTimeout',
    seconds: true,
    check: checkTimeoutMs,
    expected: 'seconds >= 0 (0 or Infinity = no limit)',
  },
] as const;

/**
 * Reads the options from environment variables (durations in seconds, as in the original),
 * then applies `overrides`. An unset or empty variable keeps the default.
 */
export function optionsFromEnv(
  env: Record<string, string | undefined>,
  overrides: ExecutionUtilsOptions = {},
): ExecutionUtilsOptions {
  checkOptionsObject('env', env);
  const fromEnv: Record<string, unknown> = {};
  for (const { variable, option, seconds, check, expected } of ENV_VARIABLES) {
    const given: unknown = env[variable];
    if (given === undefined) continue;
    if (typeof given !== 'string') fail(variable, given, 'a string');
    const raw = given.trim();
    if (!raw) continue;
    // Number() would also read '0x10', '0b1' and '1_0'-free oddities: only plain decimals pass.
    if (!DECIMAL.test(raw)) fail(variable, raw, expected);
    const value = seconds ? secondsToMs(Number(raw)) : Number(raw);
    try {
      check(variable, value);
    } catch {
      fail(variable, raw, expected);
    }
    fromEnv[option] = value;
  }
  const redisUrl: unknown = env.EXECUTION_REDIS_URL;
  if (redisUrl !== undefined && typeof redisUrl !== 'string') {
    fail('EXECUTION_REDIS_URL', redisUrl, 'a string');
  }
  if (redisUrl?.trim()) fromEnv.redis = { url: redisUrl.trim() };
  return { ...fromEnv, ...stripUndefined(overrides) };
}

const DECIMAL = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|infinity)$/i;

/**
 * Seconds to ms, kept fractional unless it is within float noise of whole ms
 * (`0.001 * 1000 = 1.0000000000000002`): `0.0004` s stays 0.4 ms, which a TTL refuses, rather
 * than rounding to 0 (never expires).
 */
function secondsToMs(seconds: number): number {
  const ms = seconds * 1000;
  const whole = Math.round(ms);
  return Math.abs(ms - whole) < 1e-6 ? whole : ms;
}
