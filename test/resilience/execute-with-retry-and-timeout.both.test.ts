import { ManualClock, TimeoutError, currentSignal } from '../../src';
import { TransientError, defaultSleepRig, flush, observe } from '../fixtures/resilience-services';
import { rig } from '../helpers';

interface Attempt {
  start: number;
  signal: AbortSignal | undefined;
  error: TransientError;
}

/**
 * `loadReport`: every attempt fails 30 ms (of clock time) after it starts, or as soon as its
 * `currentSignal()` aborts (then with the abort reason), leaving no timer of its own behind.
 */
function slowFailures(clock: ManualClock) {
  const attempts: Attempt[] = [];
  function loadReport(): Promise<never> {
    const signal = currentSignal();
    const error = new TransientError(`failure ${attempts.length + 1}`);
    attempts.push({ start: clock.now(), signal, error });
    return new Promise<never>((_, reject) => {
      const onAbort = (): void => {
        clock.clearTimer(timer);
        reject(signal!.reason);
      };
      const timer = clock.setTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      }, 30);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  return { loadReport, attempts };
}

/**
 * A call of `loadReport` under a deadline of `timeout` ms, retried with waits of 20, 40, 80...
 * With 100 ms: attempt 1 fails at 30, waits to 50, attempt 2 fails at 80; the next wait (40 ms)
 * would end at 120, past the deadline. With 70 ms: the deadline passes during attempt 2.
 */
async function runUntilSettled(timeout: number) {
  const { utils, clock } = defaultSleepRig({
    retryAttempts: 5,
    retryBackoff: 20,
    retryMinDelay: 20,
    retryMaxDelay: 1000,
  });
  const { loadReport, attempts } = slowFailures(clock);
  const start = clock.now();
  const call = observe(utils.executeWithRetryAndTimeout(loadReport, timeout), clock);
  await clock.advance(1_000);
  return { utils, clock, call, attempts, start };
}

describe('executeWithRetryAndTimeout', () => {
  it('passes the arguments to fn', async () => {
    const { utils } = rig();
    const fn = async (...args: unknown[]) => args;
    await expect(
      utils.executeWithRetryAndTimeout(fn, 1_000, 1, 'two', { three: 3 }),
    ).resolves.toEqual([1, 'two', { three: 3 }]);
  });

  it("retries failures with the service's default policy", async () => {
    const { utils, waits } = rig({
      retryAttempts: 4,
      retryBackoff: 10,
      retryMinDelay: 10,
      retryMaxDelay: 1000,
    });
    let calls = 0;
    const fn = async () => {
      calls++;
      if (calls < 4) throw new TransientError(`failure ${calls}`);
      return 'loaded';
    };
    await expect(utils.executeWithRetryAndTimeout(fn, 60_000)).resolves.toBe('loaded');
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 20, 40]);
  });

  it("rethrows the last attempt's error unchanged when attempts run out before the deadline", async () => {
    const { utils } = rig();
    const errors: TransientError[] = [];
    const fn = async () => {
      const error = new TransientError(`failure ${errors.length + 1}`);
      errors.push(error);
      throw error;
    };
    const call = observe(utils.executeWithRetryAndTimeout(fn, 60_000));
    await flush();
    expect(errors).toHaveLength(3);
    expect(call.error).toBe(errors[2]);
  });

  describe('bounds the whole call, retries included, by one deadline', () => {
    it("rejects with TimeoutError(timeoutMs = timeout) whose cause is the last attempt's error", async () => {
      const { call, attempts } = await runUntilSettled(100);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect(call.error).toMatchObject({ timeoutMs: 100, operation: 'loadReport' });
      expect((call.error as TimeoutError).cause).toBe(attempts[attempts.length - 1].error);
    });

    it('settles no later than the deadline', async () => {
      const { call, start } = await runUntilSettled(100);
      expect(call.settled).toBe(true);
      expect(call.at).toBeLessThanOrEqual(start + 100);
    });

    it('never starts a wait that ends past the deadline', async () => {
      const { clock, start } = await runUntilSettled(100);
      expect(Math.max(...clock.timerEnds)).toBeLessThanOrEqual(start + 100);
    });

    it('aborts the running attempt: its currentSignal() aborts at the deadline', async () => {
      const { call, attempts, start } = await runUntilSettled(70);
      expect(attempts.map((a) => a.start - start)).toEqual([0, 50]);
      expect(call.at).toBe(start + 70);
      expect(attempts[1].signal?.aborted).toBe(true);
      expect(attempts[1].signal?.reason).toBe(call.error);
    });

    it("gives the attempt cut off by the deadline's TimeoutError the previous attempt's error as cause", async () => {
      const { call, attempts } = await runUntilSettled(70);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect((call.error as TimeoutError).timeoutMs).toBe(70);
      expect((call.error as TimeoutError).cause).toBe(attempts[0].error);
    });

    it('gives a TimeoutError no cause when the deadline passes during the first attempt', async () => {
      const { call, attempts } = await runUntilSettled(20);
      expect(attempts).toHaveLength(1);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect((call.error as TimeoutError).cause).toBeUndefined();
    });

    it('fails at once, without waiting, when the next wait would end past the deadline', async () => {
      const { call, attempts, start } = await runUntilSettled(100);
      expect(attempts).toHaveLength(2);
      expect(call.at).toBe(start + 80);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect((call.error as TimeoutError).cause).toBe(attempts[1].error);
    });

    it('counts one timeout per timed-out call in getStats().timeouts', async () => {
      const { utils } = await runUntilSettled(70);
      expect(utils.getStats().timeouts).toBe(1);
    });
  });

  describe('leaves no timer behind', () => {
    it('after a success', async () => {
      const { utils, clock } = defaultSleepRig({ retryBackoff: 20, retryMinDelay: 20 });
      let calls = 0;
      const fn = async () => {
        calls++;
        if (calls === 1) throw new TransientError('first failure');
        return 'loaded';
      };
      const call = observe(utils.executeWithRetryAndTimeout(fn, 1_000), clock);
      await clock.advance(20);
      expect(call.value).toBe('loaded');
      expect(call.timersLeft).toBe(0);
    });

    it('after a failure', async () => {
      const { utils, clock } = defaultSleepRig({ retryBackoff: 20, retryMinDelay: 20 });
      const error = new TransientError('always');
      const call = observe(
        utils.executeWithRetryAndTimeout(async () => {
          throw error;
        }, 1_000),
        clock,
      );
      await clock.advance(60);
      expect(call.error).toBe(error);
      expect(call.timersLeft).toBe(0);
    });

    it('after the deadline passes during an attempt', async () => {
      const { call } = await runUntilSettled(70);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect(call.timersLeft).toBe(0);
    });

    it('after failing early because the next wait would pass the deadline', async () => {
      const { call } = await runUntilSettled(100);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect(call.timersLeft).toBe(0);
    });
  });
});
