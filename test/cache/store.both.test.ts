import { MemoryStore } from '../../src/cache/memory-store';
import { MISS } from '../../src/cache/store';
import { ManualClock } from '../../src/testing/manual-clock';

// store.ts is the store seam's types, and MISS: the one value it defines at run time.
describe('MISS', () => {
  it('is a symbol no caller can make by accident', () => {
    expect(typeof MISS).toBe('symbol');
    expect(MISS).not.toBe(Symbol.for('execution-utils.miss'));
    expect(MISS.description).toBe('execution-utils.miss');
  });

  it('is what the in-process tier answers for an absent key, unlike a cached undefined', () => {
    const store = new MemoryStore(10, 1_000, new ManualClock(), () => {});
    store.set('undefined', undefined);
    expect(store.get('absent')).toBe(MISS);
    expect(store.get('undefined')).toBeUndefined();
  });
});
