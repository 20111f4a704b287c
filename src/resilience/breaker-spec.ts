import {
  checkBoolean,
  checkKnownKeys,
  checkName,
  checkOptionsObject,
  optional,
  optionKeys,
} from '../validation';
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
  /**
   * With a Redis tier: the breaker's openings and closings reach every process of the namespace,
   * so all stop calling the dependency when one sees it fail, and only the process that opened
   * it sends the half-open trial. Without a Redis tier it is a `ConfigError` at the first call.
   */
  shared?: boolean;
}

/** `@CircuitBreaker` settings, or the name of the breaker (and of its operation profile). */
export type CircuitBreakerSpec = CircuitBreakerDecoratorOptions | string;

/** The keys `@CircuitBreaker` options may hold; any other is refused, with the closest of them. */
const BREAKER_DECORATOR_KEYS = optionKeys<Pick<CircuitBreakerDecoratorOptions, 'name' | 'shared'>>({
  name: true,
  shared: true,
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
  optional(checkBoolean)(`${label}.shared`, spec.shared);
  validateCircuitBreakerOptions(spec, label);
}
