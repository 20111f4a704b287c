import { checkKnownKeys, checkName, checkOptionsObject, optional, optionKeys } from '../validation';
import { BULKHEAD_OPTION_KEYS, validateBulkheadOptions, type BulkheadOptions } from './bulkhead';

/**
 * What `@Bulkhead` takes (the bulkhead's options plus its name) and its validation; which
 * settings win (profile over decorator) is `resolveBulkhead` in pipeline/resolve-policies.ts.
 */

export interface BulkheadDecoratorOptions extends BulkheadOptions {
  /** The bulkhead's name: methods naming it share its slots. Default: `'Class.method'`. */
  name?: string;
}

/** The keys `@Bulkhead` options may hold; any other is refused, with the closest of them. */
const BULKHEAD_DECORATOR_KEYS = optionKeys<Pick<BulkheadDecoratorOptions, 'name'>>({
  name: true,
}).concat(BULKHEAD_OPTION_KEYS);

/** Checks `@Bulkhead` (or `wrap({ bulkhead })`) options where they are declared. */
export function validateBulkheadSpec(spec: BulkheadDecoratorOptions, label: string): void {
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, BULKHEAD_DECORATOR_KEYS);
  optional(checkName)(`${label}.name`, spec.name);
  validateBulkheadOptions(spec, label);
}
