import type { Clock } from './clock';
import { validateBulkheadOptions, type BulkheadOptions } from './resilience/bulkhead';
import {
  validateCircuitBreakerOptions,
  type CircuitBreakerOptions,
} from './resilience/circuit-breaker';
import { validateRetryBudgetOptions, type RetryBudgetOptions } from './resilience/retry-budget';
import { ConfigError } from './errors';
import {
  checkFunction,
  checkNonNegativeInteger,
  checkNonNegativeMs,
  checkPositiveInteger,
  checkPositiveMs,
  fail,
  optional,
  type Check,
} from './validation';

const checkJitter: Check = (label, v) => {
  if (v !== 'none' && v !== 'full' && v !== 'equal') fail(label, v, "'none', 'full' or 'equal'");
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
  /** Lower clamp of a wait before jitter, in ms. Default 1000. */
  minDelay: number;
  /** Upper clamp of a wait before jitter, in ms. Default 10_000. */
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
   * whose `cause` is the last attempt's error. Default: none.
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
  /** Per-attempt timeout in ms for `@Timeout` on this operation. */
  timeout?: number;
  /** TTL in ms for `@Cached` on this operation. */
  cacheTtl?: number;
  /** Settings of the circuit breaker of this name (they beat the decorator's). */
  circuitBreaker?: CircuitBreakerOptions;
  /** Settings of the bulkhead of this name (they beat the decorator's). */
  bulkhead?: BulkheadOptions;
  /** A retry budget of this operation's own, instead of the shared `retryBudget` pool. */
  retryBudget?: RetryBudgetOptions;
}

export interface ExecutionUtilsOptions {
  /** Most entries the in-memory cache holds (LRU beyond that). Default 100; 0 disables caching. */
  cacheSize?: number;
  /** Default time to live of a cache entry, in ms. Default 3_600_000 (1 h); 0 = never expires. */
  cacheTtl?: number;
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
  /** Per-attempt timeout in ms used by `@Timeout()` without an argument. Default 30_000. */
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
  retryAttempts: 3,
  retryBackoff: 1000,
  retryMinDelay: 1000,
  retryMaxDelay: 10_000,
  retryJitter: 'equal' as Jitter,
  defaultTimeout: 30_000,
} as const;

/** Validates a (partial) retry policy; `where` prefixes option names, e.g. `@Retry(Svc.get)`. */
export function validateRetryOptions(r: Partial<RetryOptions>, where: string): void {
  optional(checkPositiveInteger)(`${where}.attempts`, r.attempts);
  optional(checkNonNegativeMs)(`${where}.backoff`, r.backoff);
  optional(checkNonNegativeMs)(`${where}.minDelay`, r.minDelay);
  optional(checkNonNegativeMs)(`${where}.maxDelay`, r.maxDelay);
  optional(checkJitter)(`${where}.jitter`, r.jitter);
  optional(checkFunction)(`${where}.retryOn`, r.retryOn);
  optional(checkFunction)(`${where}.onRetry`, r.onRetry);
  optional(checkFunction)(`${where}.retryAfter`, r.retryAfter);
  optional(checkPositiveMs)(`${where}.maxElapsed`, r.maxElapsed);
  if (r.minDelay !== undefined && r.maxDelay !== undefined && r.minDelay > r.maxDelay) {
    throw new ConfigError(
      `${where}.minDelay`,
      `minDelay (${r.minDelay}) must not exceed maxDelay (${r.maxDelay})`,
    );
  }
}

export type ResolvedOptions = Required<
  Omit<ExecutionUtilsOptions, 'operations' | 'clock' | 'sleep' | 'random' | 'retryBudget'>
> & {
  readonly operations: Record<string, OperationProfile>;
  readonly retryBudget: RetryBudgetOptions | undefined;
};

/** Applies defaults and validates every option; throws `ConfigError` naming the first bad one. */
export function resolveOptions(options: ExecutionUtilsOptions): ResolvedOptions {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  checkNonNegativeInteger('cacheSize', o.cacheSize);
  checkNonNegativeMs('cacheTtl', o.cacheTtl);
  checkPositiveInteger('retryAttempts', o.retryAttempts);
  checkNonNegativeMs('retryBackoff', o.retryBackoff);
  checkNonNegativeMs('retryMinDelay', o.retryMinDelay);
  checkNonNegativeMs('retryMaxDelay', o.retryMaxDelay);
  checkJitter('retryJitter', o.retryJitter);
  checkPositiveMs('defaultTimeout', o.defaultTimeout);
  if (o.retryMinDelay > o.retryMaxDelay) {
    throw new ConfigError(
      'retryMinDelay',
      `retryMinDelay (${o.retryMinDelay}) must not exceed retryMaxDelay (${o.retryMaxDelay})`,
    );
  }
  if (options.retryBudget) validateRetryBudgetOptions(options.retryBudget, 'retryBudget');
  const operations = { ...(options.operations ?? {}) };
  for (const [name, profile] of Object.entries(operations)) {
    validateOperationProfile(name, profile);
  }
  return {
    cacheSize: o.cacheSize,
    cacheTtl: o.cacheTtl,
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

export function validateOperationProfile(name: string, profile: OperationProfile): void {
  if (profile.retry) validateRetryOptions(profile.retry, `operations.${name}.retry`);
  optional(checkPositiveMs)(`operations.${name}.timeout`, profile.timeout);
  optional(checkNonNegativeMs)(`operations.${name}.cacheTtl`, profile.cacheTtl);
  const where = `operations.${name}`;
  if (profile.circuitBreaker) {
    validateCircuitBreakerOptions(profile.circuitBreaker, `${where}.circuitBreaker`);
  }
  if (profile.bulkhead) validateBulkheadOptions(profile.bulkhead, `${where}.bulkhead`);
  if (profile.retryBudget) validateRetryBudgetOptions(profile.retryBudget, `${where}.retryBudget`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Environment variables read by `ExecutionUtils.fromEnv`; durations there are in SECONDS. */
const ENV_VARIABLES = [
  {
    variable: 'EXECUTION_CACHE_SIZE',
    option: 'cacheSize',
    seconds: false,
    check: checkNonNegativeInteger,
  },
  { variable: 'EXECUTION_CACHE_TTL', option: 'cacheTtl', seconds: true, check: checkNonNegativeMs },
  {
    variable: 'EXECUTION_RETRY_ATTEMPTS',
    option: 'retryAttempts',
    seconds: false,
    check: checkPositiveInteger,
  },
  {
    variable: 'EXECUTION_RETRY_BACKOFF',
    option: 'retryBackoff',
    seconds: true,
    check: checkNonNegativeMs,
  },
  {
    variable: 'EXECUTION_DEFAULT_TIMEOUT',
    option: 'defaultTimeout',
    seconds: true,
    check: checkPositiveMs,
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
  const fromEnv: Record<string, number> = {};
  for (const { variable, option, seconds, check } of ENV_VARIABLES) {
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed)) {
      fail(variable, raw, seconds ? 'a number of seconds' : 'a number');
    }
    const value = seconds ? Math.round(parsed * 1000) : parsed;
    check(variable, value);
    fromEnv[option] = value;
  }
  return { ...fromEnv, ...stripUndefined(overrides) };
}
