import type { AnyMethod, PolicySet } from './types';

/** Everything the decorators recorded about one method: the input of pipeline compilation. */
export interface MethodPolicies extends PolicySet {
  readonly original: AnyMethod;
  readonly methodName: string;
  /** The trampoline installed in place of `original`. */
  readonly trampoline: AnyMethod;
  /**
   * The prototype (or, for a static method, the class) that declares the method: given to legacy
   * decorators, learned by standard ones when the first instance is built, else from `this`.
   */
  owner?: object;
  /** `Class.method` (or `@Cached({ name })`), known once the declaring class has been found. */
  operation?: string;
  /**
   * The pipeline a service ran this method through last, with the set of pipelines it belongs to
   * (`by`: a service's current set, replaced when the service resets its pipelines).
   */
  lastCompiled?: {
    readonly by: object;
    readonly stage: (thisArg: unknown, args: unknown[]) => unknown;
  };
}

/** Each trampoline's record; written only by {@link registerTrampoline}. */
const policiesByTrampoline = new WeakMap<object, MethodPolicies>();

/** The policies of a trampoline, or undefined for any other value. */
export function policiesOf(fn: unknown): MethodPolicies | undefined {
  return typeof fn === 'function' ? policiesByTrampoline.get(fn) : undefined;
}

/** Records `policies` as what `trampoline` stands for. */
export function registerTrampoline(trampoline: AnyMethod, policies: MethodPolicies): void {
  policiesByTrampoline.set(trampoline, policies);
}

/**
 * Finds the class that declares the trampoline by walking from `thisArg` up its prototype chain
 * (for a static method `thisArg` is the class itself), so an inherited method is named after
 * the class that declared it, not the subclass it was called on.
 */
export function declaringOwner(policies: MethodPolicies, thisArg: unknown): object | undefined {
  let owner: unknown = thisArg;
  while (owner !== null && (typeof owner === 'object' || typeof owner === 'function')) {
    const own = Object.getOwnPropertyDescriptor(owner, policies.methodName);
    if (own && own.value === policies.trampoline) return owner;
    owner = Object.getPrototypeOf(owner);
  }
  return undefined;
}

/** The declaring prototype or class, once known (from decoration, or by walking from `thisArg`). */
export function ownerOf(policies: MethodPolicies, thisArg: unknown): object | undefined {
  return (policies.owner ??= declaringOwner(policies, thisArg));
}

/** `Class.method` for the declaring class, or undefined when it is not known yet. */
export function operationNameFor(policies: MethodPolicies, thisArg: unknown): string | undefined {
  const named = policies.cache?.name ?? policies.batch?.name;
  if (named) return named;
  const owner = ownerOf(policies, thisArg);
  if (!owner) return undefined;
  const cls =
    typeof owner === 'function'
      ? owner
      : (owner as { constructor?: { name?: string } }).constructor;
  return `${cls?.name || 'anonymous'}.${policies.methodName}`;
}
