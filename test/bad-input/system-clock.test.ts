import 'reflect-metadata';
import { container } from 'tsyringe';
import { ExecutionUtils, Timeout, TimeoutError } from '../../src';
import { never, watch } from './support';

// Durations past Node's timer limit (2^31 - 1 ms) on the real system clock, under jest's fake
// timers (which, like Node, fire a longer setTimeout after ~1 ms): each must fire at its time,
// never after ~1 ms, and leave no timer behind.

const LIMIT = 2 ** 31 - 1;

let utils: ExecutionUtils;
beforeEach(() => {
  jest.useFakeTimers();
  utils = new ExecutionUtils({ retryJitter: 'none' });
  container.registerInstance(ExecutionUtils, utils);
});
afterEach(() => {
  jest.useRealTimers();
  container.clearInstances();
});

class Patient {
  @Timeout(3e9)
  async explicit(): Promise<string> {
    return never();
  }

  @Timeout()
  async byDefault(): Promise<string> {
    return never();
  }
}

describe('a duration past 2^31 - 1 ms on the system clock', () => {
  it('runs on fake timers that overflow as Node does (a bare 3e9 ms setTimeout fires at once)', () => {
    const fired = jest.fn();
    setTimeout(fired, 3e9);
    jest.advanceTimersByTime(10);
    expect(fired).toHaveBeenCalled();
  });

  it.each<[string, number, () => Promise<unknown>]>([
    ['withTimeout(2^31)', 2 ** 31, () => utils.withTimeout(2 ** 31, never)],
    ['withTimeout(3e9)', 3e9, () => utils.withTimeout(3e9, never)],
    [
      'executeWithRetryAndTimeout(fn, 3e9)',
      3e9,
      () => utils.executeWithRetryAndTimeout(never, 3e9),
    ],
    ['@Timeout(3e9)', 3e9, () => new Patient().explicit()],
  ])('%s fires at %p ms, not after ~1 ms', async (_, ms, start) => {
    const call = watch(start());
    await jest.advanceTimersByTimeAsync(10);
    expect(call.outcome).toBe('pending');
    await jest.advanceTimersByTimeAsync(ms - 11);
    expect(call.outcome).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(call.outcome).toBeInstanceOf(TimeoutError);
    // The shared keep-alive handle is released one loop turn after the last timer.
    await jest.runOnlyPendingTimersAsync();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('defaultTimeout 2^31 (for @Timeout()) fires at 2^31 ms', async () => {
    utils = new ExecutionUtils({ defaultTimeout: 2 ** 31 });
    container.registerInstance(ExecutionUtils, utils);
    const call = watch(new Patient().byDefault());
    await jest.advanceTimersByTimeAsync(LIMIT);
    expect(call.outcome).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(call.outcome).toBeInstanceOf(TimeoutError);
  });

  it('setOperationTimeout(op, 3e9) fires at 3e9 ms', async () => {
    utils.setOperationTimeout('Patient.byDefault', 3e9);
    const call = watch(new Patient().byDefault());
    await jest.advanceTimersByTimeAsync(LIMIT);
    expect(call.outcome).toBe('pending');
    await jest.advanceTimersByTimeAsync(3e9 - LIMIT);
    expect(call.outcome).toBeInstanceOf(TimeoutError);
  });

  it('a retry wait of retryAfterMs 3e9 waits 3e9 ms before the next attempt', async () => {
    let calls = 0;
    const fn = utils.createRetryStrategy('m', { attempts: 2, maxDelay: 3e9 })(async () => {
      if (++calls === 1) throw Object.assign(new Error('busy'), { retryAfterMs: 3e9 });
      return 'ok';
    });
    const call = watch(fn());
    await jest.advanceTimersByTimeAsync(LIMIT);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(3e9 - LIMIT);
    expect(calls).toBe(2);
    expect(call.outcome).toEqual({ value: 'ok' });
  });

  it('an entry with a TTL of 3e9 ms is still a hit after 2^31 ms, and gone after 3e9 ms', async () => {
    utils = new ExecutionUtils({ cacheTtl: 3e9 });
    utils.addToCache('k', 'v');
    await jest.advanceTimersByTimeAsync(2 ** 31);
    expect(utils.getFromCache('k')).toBe('v');
    await jest.advanceTimersByTimeAsync(3e9 - 2 ** 31);
    expect(utils.getFromCache('k')).toBeUndefined();
  });
});
