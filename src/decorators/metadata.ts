import { ConfigError } from '../errors';
import type { PolicySet } from './types';
import { ownerOf, policiesOf } from './method-policies';
import { createTrampoline } from './trampoline';

/** The policies each decorator records, by kind. */
type PolicyKinds = Required<PolicySet>;

/**
 * Builds the runtime body shared by `@Cached`, `@Retry` and `@Timeout`: record the policy on the
 * method's trampoline (installing it on first use) under either decorator standard. This is the
 * only place that tells the two standards apart:
 * - legacy (`experimentalDecorators`): called as `(prototype, key, descriptor)`;
 * - standard (TS 5): called as `(method, context)` and returns the replacement.
 * Neither path reads `Symbol.metadata`, so Node 20 (which lacks it) needs no polyfill.
 */
export function recordPolicy<K extends keyof PolicyKinds>(
  kind: K,
  policy: PolicyKinds[K],
  decorator: string,
): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    if (isStandardContext(args[1])) {
      const context = args[1];
      if (context.kind !== 'method') {
        throw new ConfigError(decorator, `decorates methods only, not a ${context.kind}`);
      }
      const trampoline = attach(args[0], String(context.name), kind, policy, decorator);
      const policies = policiesOf(trampoline)!;
      // The declaring class is not passed to standard decorators: learn it from the first
      // instance built (or the class itself, for a static method), before any call can run.
      if (!policies.owner && context.addInitializer) {
        context.addInitializer(function (this: unknown) {
          ownerOf(policies, this);
        });
      }
      return trampoline;
    }
    const descriptor = args[2] as PropertyDescriptor | undefined;
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new ConfigError(decorator, `decorates methods only (${String(args[1])} is not one)`);
    }
    descriptor.value = attach(descriptor.value, String(args[1]), kind, policy, decorator);
    // Legacy decorators receive the declaring prototype (or the class, for a static method).
    policiesOf(descriptor.value)!.owner ??= args[0] as object;
    return undefined;
  };
}

function attach<K extends keyof PolicyKinds>(
  method: unknown,
  methodName: string,
  kind: K,
  policy: PolicyKinds[K],
  decorator: string,
): unknown {
  const trampoline = policiesOf(method) ? method : createTrampoline(method as never, methodName);
  const policies = policiesOf(trampoline)!;
  if (policies[kind] !== undefined) {
    throw new ConfigError(decorator, `${methodName} already has ${decorator}; apply it once`);
  }
  (policies as unknown as PolicyKinds)[kind] = policy;
  return trampoline;
}

function isStandardContext(arg: unknown): arg is {
  kind: string;
  name: string | symbol;
  addInitializer?: (initializer: (this: unknown) => void) => void;
} {
  return typeof arg === 'object' && arg !== null && 'kind' in arg && 'name' in arg;
}
