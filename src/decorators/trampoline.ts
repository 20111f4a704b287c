import type { AnyMethod } from './types';
import { currentService } from '../di';
import { registerTrampoline, type MethodPolicies } from './method-policies';

/**
 * Installs the single stand-in for a decorated method. Each call asks the container for the
 * `ExecutionUtils` registered now and runs the method's pipeline on it, so `registerInstance`
 * takes effect on the next call. The stand-in keeps the method's name and length, and the Reflect
 * metadata other libraries put on the method function.
 */
export function createTrampoline(original: AnyMethod, methodName: string): AnyMethod {
  const trampoline = function (this: unknown, ...args: unknown[]): unknown {
    return currentService().invokeDecorated(policies, this, args);
  };
  const policies: MethodPolicies = { original, methodName, trampoline };
  Object.defineProperty(trampoline, 'name', { value: original.name, configurable: true });
  Object.defineProperty(trampoline, 'length', { value: original.length, configurable: true });
  copyReflectMetadata(original, trampoline);
  registerTrampoline(trampoline, policies);
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
