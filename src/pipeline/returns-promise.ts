import type { AnyMethod } from '../decorators/types';
import { ownerOf, type MethodPolicies } from '../decorators/method-policies';

export function isAsyncFunction(fn: AnyMethod): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]';
}

/**
 * Whether a cached method returns a Promise, so a hit can be returned in the same shape before
 * the method has ever run (a warmed entry): `true` for an `async` method or a declared
 * `Promise` return type (legacy decorators with `emitDecoratorMetadata`), `false` for another
 * declared return type, `undefined` when unknown (learned from the first call; a hit before
 * then is returned as a Promise).
 */
export function declaredToReturnPromise(
  policies: MethodPolicies,
  thisArg: unknown,
): boolean | undefined {
  if (isAsyncFunction(policies.original)) return true;
  const getMetadata = (Reflect as { getMetadata?: (k: string, t: object, p: string) => unknown })
    .getMetadata;
  const owner = ownerOf(policies, thisArg);
  if (!getMetadata || !owner) return undefined;
  const declared = getMetadata('design:returntype', owner, policies.methodName);
  if (typeof declared !== 'function') return undefined;
  return declared === Promise;
}
