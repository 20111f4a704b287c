import {
  declaringOwner,
  operationNameFor,
  ownerOf,
  policiesOf,
  registerTrampoline,
  type MethodPolicies,
} from '../../src/decorators/method-policies';

/** A record for a method `get` whose trampoline is declared on `Base.prototype` (or not at all). */
function record(cache?: MethodPolicies['cache']) {
  const trampoline = function get(): number {
    return 1;
  };
  const policies: MethodPolicies = { original: () => 1, methodName: 'get', trampoline, cache };
  registerTrampoline(trampoline, policies);
  class Base {}
  Object.defineProperty(Base.prototype, 'get', { value: trampoline });
  class Derived extends Base {}
  return { policies, trampoline, Base, Derived };
}

describe('policiesOf', () => {
  it("finds a registered trampoline's record", () => {
    const { policies, trampoline } = record();
    expect(policiesOf(trampoline)).toBe(policies);
  });

  it('finds nothing for another function or a value that is not one', () => {
    expect(policiesOf(() => 1)).toBeUndefined();
    expect(policiesOf({})).toBeUndefined();
    expect(policiesOf(undefined)).toBeUndefined();
  });
});

describe('declaringOwner', () => {
  it('finds the prototype that declares the method, walking up from a subclass instance', () => {
    const { policies, Base, Derived } = record();
    expect(declaringOwner(policies, new Derived())).toBe(Base.prototype);
  });

  it('finds nothing when this does not reach the trampoline', () => {
    const { policies } = record();
    expect(declaringOwner(policies, {})).toBeUndefined();
    expect(declaringOwner(policies, undefined)).toBeUndefined();
    expect(declaringOwner(policies, 42)).toBeUndefined();
  });

  it('finds a class that declares a static method', () => {
    const { policies, trampoline } = record();
    class WithStatic {}
    Object.defineProperty(WithStatic, 'get', { value: trampoline });
    expect(declaringOwner(policies, WithStatic)).toBe(WithStatic);
  });
});

describe('ownerOf', () => {
  it('remembers the owner it found', () => {
    const { policies, Base } = record();
    ownerOf(policies, new Base());
    expect(policies.owner).toBe(Base.prototype);
    expect(ownerOf(policies, undefined)).toBe(Base.prototype);
  });
});

describe('operationNameFor', () => {
  it('names the operation Class.method after the declaring class, not the subclass', () => {
    const { policies, Derived } = record();
    expect(operationNameFor(policies, new Derived())).toBe('Base.get');
  });

  it("prefers @Cached's explicit name", () => {
    const { policies } = record({ name: 'reports' });
    expect(operationNameFor(policies, undefined)).toBe('reports');
  });

  it('is unknown while the declaring class is', () => {
    const { policies } = record();
    expect(operationNameFor(policies, {})).toBeUndefined();
  });

  it('names a static method after its class', () => {
    const { policies, trampoline } = record();
    class Reports {}
    Object.defineProperty(Reports, 'get', { value: trampoline });
    expect(operationNameFor(policies, Reports)).toBe('Reports.get');
  });

  it("says 'anonymous' for a class without a name", () => {
    const { policies, trampoline } = record();
    const owner = Object.create(null) as object;
    Object.defineProperty(owner, 'get', { value: trampoline });
    expect(operationNameFor(policies, owner)).toBe('anonymous.get');
  });
});
