import { ConfigError } from '../../src';
import { recordPolicy } from '../../src/decorators/metadata';
import { policiesOf } from '../../src/decorators/method-policies';

// recordPolicy tells the two standards apart at run time: both forms are called by hand here,
// whichever standard this file is compiled with.

/** Applies a recorded policy in the standard (TS 5) form; returns the replacement and initializers. */
function applyStandard(
  decorate: (...args: unknown[]) => unknown,
  method: unknown,
  kind = 'method',
) {
  const initializers: ((this: unknown) => void)[] = [];
  const context = {
    kind,
    name: 'get',
    addInitializer: (i: (this: unknown) => void) => initializers.push(i),
  };
  return { replacement: decorate(method, context), initializers };
}

describe('recordPolicy, standard form', () => {
  it('returns a trampoline carrying the policy', () => {
    const original = (): number => 1;
    const { replacement } = applyStandard(recordPolicy('cache', { ttl: 5 }, '@Cached'), original);
    expect(policiesOf(replacement)).toMatchObject({
      original,
      methodName: 'get',
      cache: { ttl: 5 },
    });
  });

  it('learns the declaring prototype from the first instance built', () => {
    const { replacement, initializers } = applyStandard(
      recordPolicy('retry', {}, '@Retry'),
      () => 1,
    );
    class Repo {}
    Object.defineProperty(Repo.prototype, 'get', { value: replacement });
    initializers.forEach((init) => init.call(new Repo()));
    expect(policiesOf(replacement)?.owner).toBe(Repo.prototype);
  });

  it('puts a second policy on the same trampoline', () => {
    const first = applyStandard(recordPolicy('retry', {}, '@Retry'), () => 1).replacement;
    const second = applyStandard(
      recordPolicy('timeout', { ms: 10 }, '@Timeout'),
      first,
    ).replacement;
    expect(second).toBe(first);
    expect(policiesOf(first)).toMatchObject({ retry: {}, timeout: { ms: 10 } });
  });

  it('refuses the same decorator twice on one method', () => {
    const first = applyStandard(recordPolicy('retry', {}, '@Retry'), () => 1).replacement;
    expect(() => applyStandard(recordPolicy('retry', {}, '@Retry'), first)).toThrow(
      /@Retry: get already has @Retry; apply it once/,
    );
  });

  it('refuses anything but a method, naming what it was given', () => {
    expect(() => applyStandard(recordPolicy('cache', {}, '@Cached'), undefined, 'field')).toThrow(
      ConfigError,
    );
    expect(() => applyStandard(recordPolicy('cache', {}, '@Cached'), () => 1, 'getter')).toThrow(
      /not a getter/,
    );
  });
});

describe('recordPolicy, legacy form', () => {
  it('replaces the descriptor value with a trampoline and records the prototype it was given', () => {
    const original = (): number => 1;
    const proto = {};
    const descriptor: PropertyDescriptor = { value: original };
    expect(recordPolicy('cache', {}, '@Cached')(proto, 'get', descriptor)).toBeUndefined();
    expect(policiesOf(descriptor.value)).toMatchObject({
      original,
      methodName: 'get',
      owner: proto,
    });
  });

  it('refuses a property that is not a method', () => {
    expect(() => recordPolicy('cache', {}, '@Cached')({}, 'size', { value: 3 })).toThrow(
      /decorates methods only \(size is not one\)/,
    );
    expect(() => recordPolicy('cache', {}, '@Cached')({}, 'size', undefined)).toThrow(ConfigError);
  });
});
