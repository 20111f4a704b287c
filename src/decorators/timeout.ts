import { recordPolicy } from './metadata';
import { toTimeoutOptions } from '../resilience/timeout-options';
import { validatePolicies } from './validate';
import type { AsyncMethod, PolicyDecorator } from './types';
import type { TimeoutOptions } from '../resilience/timeout-options';

/**
 * Bounds each attempt of an async method. When the limit passes, the call rejects at once with
 * `TimeoutError` and `currentSignal()` inside the method aborts. Without an argument the limit
 * comes from the operation's settings or `defaultTimeout`.
 *
 * @example
 * class Api {
 *   @Timeout(2_000)
 *   async search(q: string) { return http.get(q, { signal: currentSignal() }); }
 * }
 */
export function Timeout(options: number | TimeoutOptions = {}): PolicyDecorator<AsyncMethod> {
  const spec = toTimeoutOptions(options, '@Timeout');
  validatePolicies({ timeout: spec }, () => '@Timeout');
  return recordPolicy('timeout', spec, '@Timeout') as PolicyDecorator<AsyncMethod>;
}
