import { newCounters, snapshot, StatsBook } from '../../src/observability/stats';

describe('newCounters', () => {
  it('starts every counter at 0', () => {
    const counters = newCounters();
    expect(Object.values(counters).every((n) => n === 0)).toBe(true);
    expect(Object.keys(counters)).toContain('hits');
  });

  it('gives a fresh object each time', () => {
    const a = newCounters();
    a.hits++;
    expect(newCounters().hits).toBe(0);
  });
});

describe('snapshot', () => {
  it('adds the hit rate: hits over lookups', () => {
    const counters = { ...newCounters(), hits: 3, misses: 1 };
    expect(snapshot(counters).hitRate).toBe(0.75);
  });

  it('gives a hit rate of 0 before any lookup', () => {
    expect(snapshot(newCounters()).hitRate).toBe(0);
  });

  it('copies the counters: later counts do not change it', () => {
    const counters = newCounters();
    const taken = snapshot(counters);
    counters.hits++;
    expect(taken.hits).toBe(0);
  });
});

describe('StatsBook', () => {
  it('keeps counters per operation, made on first use', () => {
    const book = new StatsBook();
    const counters = book.of('Repo.get');
    counters.hits++;
    expect(book.of('Repo.get')).toBe(counters);
    expect(book.snapshot('Repo.get').hits).toBe(1);
    expect(book.snapshot('Repo.list').hits).toBe(0);
  });

  it('snapshots the totals without an operation', () => {
    const book = new StatsBook();
    book.total.sets = 2;
    expect(book.snapshot().sets).toBe(2);
  });

  it('does not create counters for an operation it is only asked a snapshot of', () => {
    const book = new StatsBook();
    book.snapshot('never');
    expect(book.operationNames()).toEqual([]);
  });

  it('lists the operations in the order they were first seen', () => {
    const book = new StatsBook();
    book.of('b');
    book.of('a');
    book.of('b');
    expect(book.operationNames()).toEqual(['b', 'a']);
  });
});
