import {
  checkKnownKeys,
  checkName,
  checkOptionsObject,
  checkTimeoutMs,
  fail,
  optional,
  optionKeys,
} from '../validation';
import {
  ADAPTIVE_TIMEOUT_OPTION_KEYS,
  validateAdaptiveTimeoutOptions,
  type AdaptiveTimeoutOptions,
} from './latency-tracker';

/**
 * The `@Timeout` policy's options and their validation, in one place; which limit wins
 * (`setOperationTimeout`, profile, decorator, `defaultTimeout`) is `resolveTimeoutMs` in
 * pipeline/resolve-policies.ts.
 */

export interface TimeoutOptions {
  /** Per-attempt limit in ms. Default: the operation's timeout, else `defaultTimeout`. */
  ms?: number;
  /** Operation profile (or `setOperationTimeout` name) that sets the limit. */
  operation?: string;
  /**
   * Follow the operation's observed latency: the limit is `clamp(percentile latency x
   * multiplier, min, max)` once enough attempts have finished, `max` before that (`max` defaults
   * to the limit the options above give). Shared by every call of the operation.
   */
  adaptive?: AdaptiveTimeoutOptions;
}

/** The keys `@Timeout` options may hold; any other is refused, with the closest of them. */
export const TIMEOUT_OPTION_KEYS = optionKeys<TimeoutOptions>({
  ms: true,
  operation: true,
  adaptive: true,
});

/** Checks `@Timeout` (or `wrap({ timeout })`) options where they are declared. */
export function validateTimeoutOptions(options: TimeoutOptions, where: string): void {
  checkKnownKeys(where, options, TIMEOUT_OPTION_KEYS);
  optional(checkTimeoutMs)(`${where}.ms`, options.ms);
  optional(checkName)(`${where}.operation`, options.operation);
  if (options.adaptive !== undefined) {
    checkOptionsObject(`${where}.adaptive`, options.adaptive);
    checkKnownKeys(`${where}.adaptive`, options.adaptive, ADAPTIVE_TIMEOUT_OPTION_KEYS);
    validateAdaptiveTimeoutOptions(options.adaptive, `${where}.adaptive`);
  }
}

/** `@Timeout(ms)` and `wrap({ timeout: ms })` mean `{ ms }`; anything else must be options. */
export function toTimeoutOptions(spec: number | TimeoutOptions, where: string): TimeoutOptions {
  if (typeof spec === 'number') return { ms: spec };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    fail(where, spec, 'a number of ms or { ms?, operation?, adaptive? }');
  }
  return spec;
}
