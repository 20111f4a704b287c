import { SlidingWindow } from '../../src/resilience/sliding-window';
import { RateLimiter } from '../../src/resilience/rate-limiter';
import { prng } from '../helpers';

describe('SlidingWindow', () => {
  it('admits `limit` calls at once, then says when the oldest leaves the window', () => {
    const window = new SlidingWindow(3, 1_000, 3);
    expect([window.tryAdmit(0), window.tryAdmit(10), window.tryAdmit(20)]).toEqual([0, 0, 0]);
    expect(window.tryAdmit(500)).toBe(500);
    expect(window.tryAdmit(999)).toBe(1);
    expect(window.tryAdmit(1_000)).toBe(0);
    // The next to leave is the one admitted at 10.
    expect(window.tryAdmit(1_000)).toBe(10);
  });

  it('never admits more than `limit` in any window, whatever the arrivals', () => {
    const window = new SlidingWindow(10, 100, 10);
    const random = prng(5);
    const admitted: number[] = [];
    let now = 0;
    for (let i = 0; i < 5_000; i++) {
      now += random() * 8;
      if (window.tryAdmit(now) === 0) admitted.push(now);
    }
    for (let i = 10; i < admitted.length; i++) {
      expect(admitted[i] - admitted[i - 10]).toBeGreaterThanOrEqual(100);
    }
    // Offered ~1.6x the limit: the window is used, not starved.
    expect(admitted.length).toBeGreaterThan(0.95 * (now / 100) * 10);
  });

  it('spreads calls out with a smaller burst: at most `burst` per intervalMs * burst / limit', () => {
    const window = new SlidingWindow(10, 1_000, 2);
    expect([window.tryAdmit(0), window.tryAdmit(0)]).toEqual([0, 0]);
    // Two per 200 ms.
    expect(window.tryAdmit(50)).toBe(150);
    expect(window.tryAdmit(200)).toBe(0);
  });

  it('reports its latest admission, -Infinity before any', () => {
    const window = new SlidingWindow(2, 100, 2);
    expect(window.latest).toBe(-Infinity);
    window.tryAdmit(7);
    expect(window.latest).toBe(7);
  });
});

describe('RateLimiter', () => {
  const settings = { limit: 2, intervalMs: 100, burst: 2, scope: 'tenant', wait: 0 } as const;

  it('keeps one budget per name it is asked for', () => {
    const limiter = new RateLimiter('geo', settings);
    expect([limiter.tryAdmit('a', 0), limiter.tryAdmit('a', 0), limiter.tryAdmit('a', 0)]).toEqual([
      0, 0, 100,
    ]);
    expect(limiter.tryAdmit('b', 0)).toBe(0);
  });

  it('drops budgets idle for a whole interval once many are held', () => {
    const limiter = new RateLimiter('geo', settings);
    for (let i = 0; i < 1_024; i++) limiter.tryAdmit(`tenant-${i}`, 0);
    expect(limiter.budgets).toBe(1_024);
    limiter.tryAdmit('late', 100);
    expect(limiter.budgets).toBe(1);
  });
});
