import type { Lease } from '../../../src/cache/remote-tier';
import { LockRenewals, type Renewed } from '../../../src/cache/redis/lock-renewals';

const lease = (token: string, held = true): Lease => ({ fence: 1, held, token });

function renewals(ttl: number, answer: (key: string) => Renewed = () => 'renewed') {
  const renewed: string[] = [];
  const locks = new LockRenewals(ttl, (key) => {
    renewed.push(key);
    return Promise.resolve(answer(key));
  });
  return { locks, renewed };
}

describe('LockRenewals', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renews a lock held for a third of the TTL, every third of the TTL, until stopped', async () => {
    const { locks, renewed } = renewals(300);
    const held = lease('a');
    locks.start('k', held);
    await jest.advanceTimersByTimeAsync(99);
    expect(renewed).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(renewed).toEqual(['k']);
    await jest.advanceTimersByTimeAsync(200);
    expect(renewed).toEqual(['k', 'k', 'k']);
    locks.stop(held);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(renewed).toHaveLength(3);
  });

  it('leaves a lock taken since the last tick for the next one', async () => {
    const { locks, renewed } = renewals(300);
    locks.start('old', lease('a'));
    await jest.advanceTimersByTimeAsync(50);
    locks.start('new', lease('b'));
    await jest.advanceTimersByTimeAsync(50);
    expect(renewed).toEqual(['old']);
    await jest.advanceTimersByTimeAsync(100);
    expect(renewed).toEqual(['old', 'old', 'new']);
  });

  it('stops renewing a lock another process holds now', async () => {
    const { locks, renewed } = renewals(30, () => 'lost');
    locks.start('k', lease('a'));
    await jest.advanceTimersByTimeAsync(100);
    expect(renewed).toEqual(['k']);
    expect(locks.size).toBe(0);
  });

  it('keeps renewing through a failed renewal', async () => {
    const { locks, renewed } = renewals(30, () => 'failed');
    locks.start('k', lease('a'));
    await jest.advanceTimersByTimeAsync(30);
    expect(renewed).toEqual(['k', 'k', 'k']);
    expect(locks.size).toBe(1);
    locks.stopAll();
  });

  it('ignores a lease that holds no lock', async () => {
    const { locks, renewed } = renewals(30);
    locks.start('k', lease('', false));
    await jest.advanceTimersByTimeAsync(100);
    expect([renewed, locks.size]).toEqual([[], 0]);
  });

  it('runs its one timer only while a lock is held', () => {
    const { locks } = renewals(300);
    expect(jest.getTimerCount()).toBe(0);
    const a = lease('a');
    const b = lease('b');
    locks.start('a', a);
    locks.start('b', b);
    expect(jest.getTimerCount()).toBe(1);
    locks.stop(a);
    expect(jest.getTimerCount()).toBe(1);
    locks.stop(b);
    expect(jest.getTimerCount()).toBe(0);
    locks.start('a', a);
    locks.stopAll();
    expect(jest.getTimerCount()).toBe(0);
  });
});
