import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import type { AsyncMethod, PolicyDecorator } from './types';
import type { BulkheadDecoratorOptions } from '../resilience/bulkhead-spec';

/**
 * Caps how many calls of an operation run at once; a few more may wait in a queue (by priority,
 * higher first, without starving the lowest), and beyond that a call fails at once with
 * `BulkheadRejectedError` (never retried). `runWithContext({ priority })` sets a call's priority.
 *
 * @example
 * class Reports {
 *   @Bulkhead({ maxConcurrent: 4, maxQueue: 20 })
 *   async render(id: string) { ... }
 * }
 */
export function Bulkhead(options: BulkheadDecoratorOptions = {}): PolicyDecorator<AsyncMethod> {
  validatePolicies({ bulkhead: options }, () => '@Bulkhead');
  return recordPolicy('bulkhead', options, '@Bulkhead') as PolicyDecorator<AsyncMethod>;
}
