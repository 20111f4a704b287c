import { isThenable } from '../src/is-thenable';

describe('isThenable', () => {
  it('is true for a Promise', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
  });

  it('is true for any object or function with a then method, as await sees it', () => {
    expect(isThenable({ then: () => {} })).toBe(true);
    const fn = Object.assign(() => {}, { then: () => {} });
    expect(isThenable(fn)).toBe(true);
  });

  it('is false for a then that is not a function', () => {
    expect(isThenable({ then: 1 })).toBe(false);
  });

  it('is false for null, undefined and primitives', () => {
    for (const value of [null, undefined, 0, 'then', true, Symbol('x')]) {
      expect(isThenable(value)).toBe(false);
    }
  });
});
