import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import type { AsyncMethod, PolicyDecorator } from './types';
import type { RetrySpec } from '../resilience/retry-options';

/**
 * Retries a failing async method with exponential backoff. `attempts` counts every call, the
 * first included; the last error is rethrown unchanged. Pass a string to use an operation
 * profile from the service's `operations`.
 *
 * @example
 * class Api {
 *   @Retry({ attempts: 5, retryOn: (e) => e instanceof HttpError && e.status >= 500 })
 *   async getUser(id: string) { ... }
 * }
 */
export function Retry(options: RetrySpec = {}): PolicyDecorator<AsyncMethod> {
  validatePolicies({ retry: options }, () => '@Retry');
  return recordPolicy('retry', options, '@Retry') as PolicyDecorator<AsyncMethod>;
}
