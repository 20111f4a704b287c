import { assemble, readBatchResult, shapeOf } from '../../src/pipeline/batch-result';

describe('readBatchResult', () => {
  it('reads an array aligned with the ids, position by position', () => {
    const items = readBatchResult('op', ['a', 'b'], ['A', undefined]);
    expect(items.ok && [items.item(0), items.item(1)]).toEqual(['A', undefined]);
  });

  it('reads a Map by id; an id it lacks is undefined', () => {
    const items = readBatchResult('op', ['a', 'b'], new Map([['b', 'B']]));
    expect(items.ok && [items.item(0), items.item(1)]).toEqual([undefined, 'B']);
  });

  it('fails the whole call on an array of the wrong length, naming both counts', () => {
    const items = readBatchResult('Users.getMany', ['a', 'b', 'c'], ['A', 'B']);
    expect(items.ok).toBe(false);
    expect(!items.ok && items.error.message).toMatch(
      /^Users.getMany: .*returned 2 items for 3 ids/,
    );
  });

  it('fails the whole call on a result of another shape, naming what it got', () => {
    for (const [result, got] of [
      [{ a: 1 }, 'object'],
      [null, 'null'],
      ['x', 'string'],
      [new Set(['a']), 'object'],
    ] as const) {
      const items = readBatchResult('op', ['a'], result);
      expect(!items.ok && items.error.message).toContain(`returned ${got}`);
    }
  });
});

describe('shapeOf', () => {
  it('tells an array from a Map, and neither from anything else', () => {
    expect([shapeOf([]), shapeOf(new Map()), shapeOf({}), shapeOf(undefined)]).toEqual([
      'array',
      'map',
      undefined,
      undefined,
    ]);
  });
});

describe('assemble', () => {
  it("answers an array method with the values in the caller's order, duplicates included", () => {
    expect(assemble('array', ['b', 'a', 'b'], [2, 1, 2])).toEqual([2, 1, 2]);
  });

  it('answers a Map method with a Map of the ids that have a value', () => {
    expect(assemble('map', ['a', 'b', 'a'], [1, undefined, 1])).toEqual(new Map([['a', 1]]));
  });
});
