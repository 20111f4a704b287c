import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '../src';
import { rig } from './helpers';

const TIMER_LIMIT_MS = 2 ** 31 - 1;

describe('systemClock timers past the 2^31-1 ms limit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    // Let the shared keep-alive handle go under the fake clock that made it.
    await jest.runOnlyPendingTimersAsync();
    jest.useRealTimers();
  });

  it('fires a 3e9 ms timer at 3e9 ms, not after ~1 ms (Node would overflow it)', () => {
    const fired = jest.fn();
    systemClock.setTimer(fired, 3e9);
    jest.advanceTimersByTime(TIMER_LIMIT_MS);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(3e9 - TIMER_LIMIT_MS - 1);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('cancels a long timer in any link of its chain', async () => {
    const fired = jest.fn();
    const handle = systemClock.setTimer(fired, 5e9);
    jest.advanceTimersByTime(TIMER_LIMIT_MS + 10);
    systemClock.clearTimer(handle);
    jest.advanceTimersByTime(5e9);
    expect(fired).not.toHaveBeenCalled();
    await jest.runOnlyPendingTimersAsync();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('timeouts past the timer limit', () => {
  it('keeps a @Timeout-like limit of 3e9 ms pending long after 1 ms', async () => {
    const { utils, clock } = rig();
    const call = utils.withTimeout(3e9, () => new Promise(() => {}));
    let settled = false;
    call.catch(() => (settled = true));
    await clock.advance(TIMER_LIMIT_MS + 1);
    expect(settled).toBe(false);
    await clock.advance(3e9);
    expect(settled).toBe(true);
  });
});

describe('timed calls keep the process alive until their outcome', () => {
  it('a script whose only pending work is a timed call sees its TimeoutError before exiting', async () => {
    const script = join(__dirname, 'fixtures', 'timed-script.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script],
      { cwd: join(__dirname, '..') },
    );
    expect(stdout.trim().split('\n')).toEqual([
      '@Timeout: TimeoutError',
      'withTimeout: TimeoutError',
      'executeWithRetryAndTimeout: TimeoutError',
    ]);
  }, 20_000);
});

describe('systemClock keep-alive', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await jest.runOnlyPendingTimersAsync();
    jest.useRealTimers();
  });

  it('shares one keep-alive handle between pending timers and lets it go after the last', async () => {
    const a = systemClock.setTimer(() => {}, 1000);
    const withOne = jest.getTimerCount();
    const b = systemClock.setTimer(() => {}, 2000);
    expect(jest.getTimerCount()).toBe(withOne + 1);
    systemClock.clearTimer(a);
    systemClock.clearTimer(b);
    systemClock.clearTimer(b);
    await jest.runOnlyPendingTimersAsync();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('lets the keep-alive handle go once the last timer has fired', async () => {
    const fired = jest.fn();
    systemClock.setTimer(fired, 10);
    await jest.advanceTimersByTimeAsync(10);
    expect(fired).toHaveBeenCalledTimes(1);
    await jest.runOnlyPendingTimersAsync();
    expect(jest.getTimerCount()).toBe(0);
  });
});
