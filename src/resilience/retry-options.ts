import { ConfigError } from '../errors';
import {
  checkFunction,
  checkKnownKeys,
  checkName,
  checkNonNegativeMs,
  checkOneOf,
  checkOptionsObject,
  checkPositiveInteger,
  checkTimeoutMs,
  fail,
  optionKeys,
  optional,
} from '../validation';

/**
 * The retry policy's options, defaults and validation, in one place; precedence across layers
 * (service, decorator, profile) is `resolveRetryPolicy` in pipeline/resolve-policies.ts.
 */

export const checkJitter = checkOneOf(['none', 'full', 'equal']);

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
   * whose `cause` is the error of the last attempt that failed before the deadline (none if the
   * first attempt was still running). Default: none (`0` or `Infinity` also mean none).
   */
  maxElapsed?: number;
  /**
   * The wait a failure asks for, in ms (say, from a Retry-After header), capped by `maxDelay`;
   * `undefined` falls back to the backoff. Default: the error's `retryAfterMs` property.
   */
  retryAfter?: (error: unknown) => number | undefined;
}

/**
 * The service's defaults (the original's): 3 calls in all, waits of 1 s, 2 s, 4 s... clamped to
 * 1-10 s, equal jitter. The service options `retryAttempts`, `retryBackoff`, `retryMinDelay`,
 * `retryMaxDelay` and `retryJitter` replace them.
 */
export const RETRY_DEFAULTS: Readonly<
  Pick<RetryOptions, 'attempts' | 'backoff' | 'minDelay' | 'maxDelay' | 'jitter'>
> = {
  attempts: 3,
  backoff: 1000,
  minDelay: 1000,
  maxDelay: 10_000,
  jitter: 'equal',
};

const RETRY_OPTION_KEYS = optionKeys<RetryOptions>({
  attempts: true,
  backoff: true,
  minDelay: true,
  maxDelay: true,
  jitter: true,
  retryOn: true,
  onRetry: true,
  operation: true,
  maxElapsed: true,
  retryAfter: true,
});

/**
 * Validates a (partial) retry policy, an unknown key included; `where` prefixes option names,
 * e.g. `@Retry(Svc.get)`.
 */
export function validateRetryOptions(r: Partial<RetryOptions>, where: string): void {
  checkOptionsObject(where, r);
  checkKnownKeys(where, r, RETRY_OPTION_KEYS);
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

/** `@Retry` settings: a partial policy, or the name of an operation profile. */
export type RetrySpec = Partial<RetryOptions> | string;

/** Checks a `@Retry` (or `wrap({ retry })`) spec where it is declared. */
export function validateRetrySpec(spec: RetrySpec, label: string): void {
  if (typeof spec === 'string') checkName(label, spec);
  else validateRetryOptions(spec, label);
}
