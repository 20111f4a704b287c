import {
  checkBoolean,
  checkKnownKeys,
  checkName,
  checkOptionsObject,
  fail,
  optional,
  optionKeys,
} from '../validation';
import {
  RATE_LIMITER_OPTION_KEYS,
  validateRateLimiterOptions,
  type RateLimiterOptions,
} from './rate-limiter';

/**
 * What `@RateLimit` takes: the limiter's settings, its name and whether it is shared; which
 * settings win (profile over decorator) is `resolveRateLimit` in pipeline/resolve-policies.ts.
 */
export interface RateLimitDecoratorOptions extends RateLimiterOptions {
  /** Calls admitted in any window of `intervalMs`: an integer from 1 to 1,000,000. */
  limit: number;
  /** The limiter's name: methods naming it share its budget. Default: `'Class.method'`. */
  name?: string;
  /**
   * With a Redis tier: one budget for every process of the namespace (see the README). Without
   * one it is a `ConfigError` at the first call.
   */
  shared?: boolean;
}

const RATE_LIMIT_DECORATOR_KEYS = optionKeys<Pick<RateLimitDecoratorOptions, 'name' | 'shared'>>({
  name: true,
  shared: true,
}).concat(RATE_LIMITER_OPTION_KEYS);

/** Checks `@RateLimit` (or `wrap({ rateLimit })`) options where they are declared. */
export function validateRateLimitSpec(spec: RateLimitDecoratorOptions, label: string): void {
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, RATE_LIMIT_DECORATOR_KEYS);
  optional(checkName)(`${label}.name`, spec.name);
  optional(checkBoolean)(`${label}.shared`, spec.shared);
  if (spec.limit === undefined) fail(`${label}.limit`, undefined, 'an integer from 1 to 1000000');
  validateRateLimiterOptions(spec, label);
}
