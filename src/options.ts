import type { Clock } from './clock';
import { validateBulkheadOptions, type BulkheadOptions } from './resilience/bulkhead';
import {
  validateCircuitBreakerOptions,
  type CircuitBreakerOptions,
} from './resilience/circuit-breaker';
import { validateRetryBudgetOptions, type RetryBudgetOptions } from './resilience/retry-budget';
import type { TenantMode } from './decorators/types';
import { ConfigError } from './errors';
import {
  checkFunction,
  checkNonNegativeMs,
  checkOneOf,
  checkOptionsObject,
  checkPositiveInteger,
  checkTimeoutMs,
  checkTtlMs,
  fail,
  optional,
  type Check,
} from './validation';

const checkJitter = checkOneOf(['none', 'full', 'equal']);
export const checkTenantMode = checkOneOf(['optional', 'required', 'shared']);

/**
 * The most entries `cacheSize` may ask for. lru-cache reserves ~40 B per slot up front (1e6 slots
 * ~40 MB, 1e7 ~400 MB, even while empty: see `getMemoryStats().reservedBytes`); 1e8 would abort
 * the process out of memory.
 */
export const MAX_CACHE_SIZE = 10_000_000;

const checkCacheSize: Check = (label, v) => {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_CACHE_SIZE)) {
    fail(label, v, `an integer from 0 to ${MAX_CACHE_SIZE}`);
  }
};

/** How a retry wait is randomised after the exponential backoff is clamped. */
export type Jitter = 'none' | 'full' | 'equal';

/** What `onRetry` learns before each wait. */
export interface RetryInfo {
  /** The attempt that just failed (1 = the first call). */
  readonly attempt: number;
  readonly error: unknown;
  /** How long the policy waits before the next attempt, in ms. */
  readonly delayMs: number;
  readonly operation: string;
}

export interface RetryOptions {
  /** Total calls including the first (tenacity's `stop_after_attempt`). Default 3. */
  attempts: number;
  /** Base of the exponential backoff in ms: retry n waits `backoff * 2^(n-1)`. Default 1000. */
  backoff: number;
  /**
   * Lower clamp of a wait before jitter, in ms. Default 1000. A `maxDelay` given below an
   * inherited `minDelay` (one this policy did not set itself) lowers it.
   */
  minDelay: number;
  /**
   * Upper clamp of a wait before jitter, in ms. Default 10_000. A `minDelay` given above an
   * inherited `maxDelay` raises it.
   */
  maxDelay: number;
  /** Default `'equal'`: see {@link ExecutionUtilsOptions.retryJitter}. */
  jitter: Jitter;
  /** Decides whether an error is worth another attempt. Default: every error not marked permanent. */
  retryOn?: (error: unknown) => boolean;
  /** Called before each wait; errors it throws are ignored. */
  onRetry?: (info: RetryInfo) => void;
  /** Operation profile (in `operations`) whose `retry` settings override these. */
  operation?: string;
  /**
   * A total deadline in ms over all attempts and waits (like `executeWithRetryAndTimeout`):
   * the running attempt is aborted, no wait runs past it, and the call fails with `TimeoutError`
   * whose `cause` is the last attempt's error. Default: none (`0` or `Infinity` also mean none).
   */
  maxElapsed?: number;
  /**
   * The wait a failure asks for, in ms (say, from a Retry-After header), capped by `maxDelay`;
   * `undefined` falls back to the backoff. Default: the error's `retryAfterMs` property.
   */
  retryAfter?: (error: unknown) => number | undefined;
}

/** Per-operation settings, keyed by operation name (`Class.method` by default). */
export interface OperationProfile {
  retry?: Partial<RetryOptions>;
  /** Per-attempt timeout in ms for `@Timeout` on this operation (`0` or `Infinity`: none). */
  timeout?: number;
  /** TTL in whole ms for `@Cached` on this operation (0 = never expires). */
  cacheTtl?: number;
  /** Settings of the circuit breaker of this name (they beat the decorator's). */
  circuitBreaker?: CircuitBreakerOptions;
  /** Settings of the bulkhead of this name (they beat the decorator's). */
  bulkhead?: BulkheadOptions;
  /** A retry budget of this operation's own, instead of the shared `retryBudget` pool. */
  retryBudget?: RetryBudgetOptions;
}

export interface ExecutionUtilsOptions {
  /**
   * Most entries the in-memory cache holds (LRU beyond that). Default 100; 0 disables caching; at
   * most 10,000,000 (lru-cache reserves ~40 B per slot up front, even while empty).
   */
  cacheSize?: number;
  /**
   * Bounds the cache by bytes as well as entries: each entry is charged its key, an estimate of
   * its value (strings by length, binary data by byte length, objects by their contents) and
   * ~56 B of bookkeeping; the least recently used go first, and an entry larger than the bound is
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
}

export const DEFAULTS = {
  cacheSize: 100,
  cacheTtl: 3_600_000,
  tenant: 'optional' as TenantMode,
  retryAttempts: 3,
  retryBackoff: 1000,
  retryMinDelay: 1000,
  retryMaxDelay: 10_000,
  retryJitter: 'equal' as Jitter,
  defaultTimeout: 30_000,
} as const;

/** Validates a (partial) retry policy; `where` prefixes option names, e.g. `@Retry(Svc.get)`. */
export function validateRetryOptions(r: Partial<RetryOptions>, where: string): void {
  checkOptionsObject(where, r);
  optional(checkPositiveInteger)(`${where}.attempts`, r.attempts);
  optional(checkNonNegativeMs)(`${where}.backoff`, r.backoff);
  optional(checkNonNegativeMs)(`${where}.minDelay`, r.minDelay);
  optional(checkNonNegativeMs)(`${where}.maxDelay`, r.maxDelay);
  optional(checkJitter)(`${where}.jitter`, r.jitter);
  optional(checkFunction)(`${where}.retryOn`, r.retryOn);
  optional(checkFunction)(`${where}.onRetry`, r.onRetry);
  optional(checkFunction)(`${where}.retryAfter`, r.retryAfter);
  optional(checkTimeoutMs)(`${where}.maxElapsed`, r.maxElapsed);
  if (r.operation !== undefined && typeof r.operation !== 'string') {
    fail(`${where}.operation`, r.operation, 'an operation profile name');
  }
  checkDelayOrder(r.minDelay, r.maxDelay, `${where}.minDelay`);
}

/** Refuses `minDelay > maxDelay` given together (in one place, so neither can lower the other). */
export function checkDelayOrder(
  minDelay: number | undefined,
  maxDelay: number | undefined,
  label: string,
): void {
  if (minDelay !== undefined && maxDelay !== undefined && minDelay > maxDelay) {
    throw new ConfigError(label, `minDelay (${minDelay}) must not exceed maxDelay (${maxDelay})`);
  }
}

export type ResolvedOptions = Required<
  Omit<
    ExecutionUtilsOptions,
    'operations' | 'clock' | 'sleep' | 'random' | 'retryBudget' | 'cacheMaxBytes'
  >
> & {
  readonly cacheMaxBytes: number | undefined;
  readonly operations: Record<string, OperationProfile>;
  readonly retryBudget: RetryBudgetOptions | undefined;
};

/** Applies defaults and validates every option; throws `ConfigError` naming the first bad one. */
export function resolveOptions(options: ExecutionUtilsOptions): ResolvedOptions {
  checkOptionsObject('ExecutionUtils options', options);
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  checkCacheSize('cacheSize', o.cacheSize);
  optional(checkPositiveInteger)('cacheMaxBytes', options.cacheMaxBytes);
  checkTtlMs('cacheTtl', o.cacheTtl);
  checkTenantMode('tenant', o.tenant);
  checkPositiveInteger('retryAttempts', o.retryAttempts);
  checkNonNegativeMs('retryBackoff', o.retryBackoff);
  checkNonNegativeMs('retryMinDelay', o.retryMinDelay);
  checkNonNegativeMs('retryMaxDelay', o.retryMaxDelay);
  checkJitter('retryJitter', o.retryJitter);
  checkTimeoutMs('defaultTimeout', o.defaultTimeout);
  if (o.retryMinDelay > o.retryMaxDelay) {
    throw new ConfigError(
      'retryMinDelay',
      `retryMinDelay (${o.retryMinDelay}) must not exceed retryMaxDelay (${o.retryMaxDelay})`,
    );
  }
  optional(checkFunction)('sleep', options.sleep);
  optional(checkFunction)('random', options.random);
  if (options.clock !== undefined) checkClock(options.clock);
  if (options.retryBudget !== undefined) {
    checkOptionsObject('retryBudget', options.retryBudget);
    validateRetryBudgetOptions(options.retryBudget, 'retryBudget');
  }
  if (options.operations !== undefined) checkOptionsObject('operations', options.operations);
  const operations = { ...(options.operations ?? {}) };
  for (const [name, profile] of Object.entries(operations)) {
    validateOperationProfile(name, profile);
  }
  return {
    cacheSize: o.cacheSize,
    cacheMaxBytes: options.cacheMaxBytes,
    cacheTtl: o.cacheTtl,
    tenant: o.tenant,
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
  if (profile.retry !== undefined) validateRetryOptions(profile.retry, `${where}.retry`);
  optional(checkTimeoutMs)(`${where}.timeout`, profile.timeout);
  optional(checkTtlMs)(`${where}.cacheTtl`, profile.cacheTtl);
  if (profile.circuitBreaker !== undefined) {
    checkOptionsObject(`${where}.circuitBreaker`, profile.circuitBreaker);
    validateCircuitBreakerOptions(profile.circuitBreaker, `${where}.circuitBreaker`);
  }
  if (profile.bulkhead !== undefined) {
    checkOptionsObject(`${where}.bulkhead`, profile.bulkhead);
    validateBulkheadOptions(profile.bulkhead, `${where}.bulkhead`);
  }
  if (profile.retryBudget !== undefined) {
    checkOptionsObject(`${where}.retryBudget`, profile.retryBudget);
    validateRetryBudgetOptions(profile.retryBudget, `${where}.retryBudget`);
  }
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
  const fromEnv: Record<string, number> = {};
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
