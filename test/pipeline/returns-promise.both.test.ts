import 'reflect-metadata';
import { createTrampoline } from '../../src/decorators/trampoline';
import { policiesOf, type MethodPolicies } from '../../src/decorators/method-policies';
import type { AnyMethod } from '../../src/decorators/types';
import { declaredToReturnPromise, isAsyncFunction } from '../../src/pipeline/returns-promise';

/** A method record for `method` declared on a fresh prototype, with `returnType` as its metadata. */
function recordOf(
  method: AnyMethod,
  returnType?: unknown,
): { policies: MethodPolicies; owner: object } {
  const owner = {};
  const trampoline = createTrampoline(method, 'm');
  Object.defineProperty(owner, 'm', { value: trampoline });
  if (returnType !== undefined) Reflect.defineMetadata('design:returntype', returnType, owner, 'm');
  return { policies: policiesOf(trampoline)!, owner };
}

describe('isAsyncFunction', () => {
  it('is true for an async function', () => {
    expect(isAsyncFunction(async () => 1)).toBe(true);
  });

  it('is false for a plain function, even one that returns a Promise', () => {
    expect(isAsyncFunction(() => Promise.resolve(1))).toBe(false);
    expect(isAsyncFunction(function () {})).toBe(false);
  });
});

describe('declaredToReturnPromise', () => {
  it('is true for an async method, whatever its metadata says', () => {
    const { policies, owner } = recordOf(async () => 1, String);
    expect(declaredToReturnPromise(policies, owner)).toBe(true);
  });

  it('is true for a method whose declared return type is Promise', () => {
    const { policies, owner } = recordOf(() => Promise.resolve(1), Promise);
    expect(declaredToReturnPromise(policies, owner)).toBe(true);
  });

  it('is false for a method with another declared return type', () => {
    const { policies, owner } = recordOf(() => 1, Number);
    expect(declaredToReturnPromise(policies, owner)).toBe(false);
  });

  it('is unknown for a method without a declared return type', () => {
    const { policies, owner } = recordOf(() => 1);
    expect(declaredToReturnPromise(policies, owner)).toBeUndefined();
  });

  it('is unknown while the declaring object cannot be found', () => {
    const { policies } = recordOf(() => 1, Number);
    expect(declaredToReturnPromise(policies, {})).toBeUndefined();
  });
});
