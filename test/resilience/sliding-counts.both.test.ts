import { SlidingCounts } from '../../src/resilience/sliding-counts';

// A 1 s window: 10 buckets of 100 ms.
describe('SlidingCounts', () => {
  it('adds to both counts', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(0, 1, 0);
    counts.add(50, 1, 1);
    expect([counts.first, counts.second]).toEqual([2, 1]);
  });

  it('keeps an event for at least 0.9 of the window', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(99, 1, 1);
    counts.slide(999);
    expect([counts.first, counts.second]).toEqual([1, 1]);
  });

  it('drops an event once the window has passed it', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(0, 1, 1);
    counts.slide(1_000);
    expect([counts.first, counts.second]).toEqual([0, 0]);
  });

  it('drops old buckets one by one as the window slides', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(0, 1, 0);
    counts.add(500, 2, 0);
    counts.slide(1_000);
    expect(counts.first).toBe(2);
    counts.slide(1_500);
    expect(counts.first).toBe(0);
  });

  it('forgets everything after a jump longer than the window', () => {
    const counts = new SlidingCounts(1_000);
    for (let t = 0; t < 1_000; t += 100) counts.add(t, 1, 1);
    counts.slide(50_000);
    expect([counts.first, counts.second]).toEqual([0, 0]);
  });

  it('counts an event from a clock that stepped back in the newest bucket', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(5_000, 1, 0);
    counts.add(4_000, 1, 0);
    expect(counts.first).toBe(2);
    counts.slide(5_950);
    expect(counts.first).toBe(2);
    counts.slide(6_000);
    expect(counts.first).toBe(0);
  });

  it('works before time 0 (negative clock times)', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(-250, 1, 0);
    counts.slide(500);
    expect(counts.first).toBe(1);
    counts.slide(800);
    expect(counts.first).toBe(0);
  });

  it('clears both counts and starts over', () => {
    const counts = new SlidingCounts(1_000);
    counts.add(100, 3, 2);
    counts.clear();
    expect([counts.first, counts.second]).toEqual([0, 0]);
    counts.add(0, 1, 0);
    expect(counts.first).toBe(1);
  });
});
