import type { AnyMethod, PolicySet } from '../decorators/types';
import { currentExecutionUtils } from '../di';

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
}

const policiesByTrampoline = new WeakMap<object, MethodPolicies>();

/** The policies of a trampoline, or undefined for any other value. */
export function policiesOf(fn: unknown): MethodPolicies | undefined {
  return typeof fn === 'function' ? policiesByTrampoline.get(fn) : undefined;
}

/**
 * Installs the single stand-in for a decorated method. Each call asks the container for the
 * `ExecutionUtils` registered now and runs the method's pipeline on it, so `registerInstance`
 * takes effect on the next call. The stand-in keeps the method's name and length, and the Reflect
 * metadata other libraries put on the method function.
 */
export function createTrampoline(original: AnyMethod, methodName: string): AnyMethod {
  const trampoline = function (this: unknown, ...args: unknown[]): unknown {
    return currentExecutionUtils().invokeDecorated(policies, this, args);
  };
  const policies: MethodPolicies = { original, methodName, trampoline };
  Object.defineProperty(trampoline, 'name', { value: original.name, configurable: true });
  Object.defineProperty(trampoline, 'length', { value: original.length, configurable: true });
  copyReflectMetadata(original, trampoline);
  policiesByTrampoline.set(trampoline, policies);
  return trampoline;
}

function copyReflectMetadata(from: object, to: object): void {
  const reflect = Reflect as Partial<{
    getOwnMetadataKeys(target: object): unknown[];
    getOwnMetadata(key: unknown, target: object): unknown;
    defineMetadata(key: unknown, value: unknown, target: object): void;
  }>;
  if (!reflect.getOwnMetadataKeys || !reflect.getOwnMetadata || !reflect.defineMetadata) return;
  for (const key of reflect.getOwnMetadataKeys(from)) {
    reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to);
  }
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
  if (policies.cache?.name) return policies.cache.name;
  const owner = ownerOf(policies, thisArg);
  if (!owner) return undefined;
  const cls =
    typeof owner === 'function'
      ? owner
      : (owner as { constructor?: { name?: string } }).constructor;
  return `${cls?.name || 'anonymous'}.${policies.methodName}`;
}
