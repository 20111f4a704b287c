import {
  checkBoolean,
  checkIntegerInRange,
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
   * With a Redis tier: one budget for every process of the namespace (one Redis script per
   * admitted call). Without a Redis tier it is a `ConfigError` at the first call.
   */
  shared?: boolean;
  /**
   * A shared limit's share in each process while Redis cannot be reached: at most `localLimit`
   * calls per `intervalMs` in this process alone. Default: `limit` (each process on its own may
   * admit the whole limit; set `limit / processes` to keep the total).
   */
  localLimit?: number;
}

const RATE_LIMIT_DECORATOR_KEYS = optionKeys<
  Pick<RateLimitDecoratorOptions, 'name' | 'shared' | 'localLimit'>
>({
  name: true,
  shared: true,
  localLimit: true,
}).concat(RATE_LIMITER_OPTION_KEYS);

/** Checks `@RateLimit` (or `wrap({ rateLimit })`) options where they are declared. */
export function validateRateLimitSpec(spec: RateLimitDecoratorOptions, label: string): void {
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, RATE_LIMIT_DECORATOR_KEYS);
  optional(checkName)(`${label}.name`, spec.name);
  optional(checkBoolean)(`${label}.shared`, spec.shared);
  optional(checkIntegerInRange(1, 1_000_000))(`${label}.localLimit`, spec.localLimit);
  if (spec.limit === undefined) fail(`${label}.limit`, undefined, 'an integer from 1 to 1000000');
  validateRateLimiterOptions(spec, label);
}
