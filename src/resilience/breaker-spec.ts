import { checkKnownKeys, checkName, checkOptionsObject, optional, optionKeys } from '../validation';
import {
  CIRCUIT_BREAKER_OPTION_KEYS,
  validateCircuitBreakerOptions,
  type CircuitBreakerOptions,
} from './circuit-breaker';

/**
 * What `@CircuitBreaker` takes (the breaker's options plus its name, or a name alone) and its
 * validation; which settings win (profile over decorator) is `resolveBreaker` in
 * pipeline/resolve-policies.ts.
 */

export interface CircuitBreakerDecoratorOptions extends CircuitBreakerOptions {
  /**
   * The breaker's name: every method and instance naming it shares one breaker, and the operation
   * profile of that name (`operations[name].circuitBreaker`) overrides these settings.
   * Default: `'Class.method'`.
   */
  name?: string;
}

/** `@CircuitBreaker` settings, or the name of the breaker (and of its operation profile). */
export type CircuitBreakerSpec = CircuitBreakerDecoratorOptions | string;

/** The keys `@CircuitBreaker` options may hold; any other is refused, with the closest of them. */
const BREAKER_DECORATOR_KEYS = optionKeys<Pick<CircuitBreakerDecoratorOptions, 'name'>>({
  name: true,
}).concat(CIRCUIT_BREAKER_OPTION_KEYS);

/** Checks a `@CircuitBreaker` (or `wrap({ breaker })`) spec where it is declared. */
export function validateBreakerSpec(spec: CircuitBreakerSpec, label: string): void {
  if (typeof spec === 'string') {
    checkName(label, spec);
    return;
  }
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, BREAKER_DECORATOR_KEYS);
  optional(checkName)(`${label}.name`, spec.name);
  validateCircuitBreakerOptions(spec, label);
}
