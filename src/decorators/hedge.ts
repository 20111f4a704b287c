import { recordPolicy } from './metadata';
import { validatePolicies } from './validate';
import type { AsyncMethod, PolicyDecorator } from './types';
import type { HedgeDecoratorOptions } from '../resilience/hedge-options';

/**
 * Hedged requests, for a method that is safe to run twice at once (a read, an idempotent call):
 * this decorator is the mark that it is. When an attempt has not settled after `delay` (ms, or a
 * percentile of its recent latency), another starts beside it, up to `maxHedges`; the first
 * success wins and the others' signals abort. A hedge takes an idle bulkhead slot and a retry of
 * the budget, or is not sent.
 *
 * @example
 * class Search {
 *   @Hedge({ delay: { percentile: 0.95 } })
 *   async query(q: string) { ... }
 * }
 */
export function Hedge(options: HedgeDecoratorOptions): PolicyDecorator<AsyncMethod> {
  validatePolicies({ hedge: options }, () => '@Hedge');
  return recordPolicy('hedge', options, '@Hedge') as PolicyDecorator<AsyncMethod>;
}
