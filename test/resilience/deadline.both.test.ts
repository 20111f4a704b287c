import { currentSignal, runWithContext, TimeoutError } from '../../src';
import { retryWithinDeadline } from '../../src/resilience/deadline';
import type { RetryPolicy, RetryRuntime } from '../../src/resilience/retry';
import { ManualClock } from '../../src/testing/manual-clock';
import { probeRig } from '../pipeline/support';

function setup() {
  const clock = new ManualClock();
  const { probe } = probeRig('Svc.op', clock);
  const policy: RetryPolicy = {
    operation: 'Svc.op',
    attempts: 5,
    backoff: 100,
    minDelay: 100,
    maxDelay: 1_000,
    jitter: 'none',
    probe,
  };
  const runtime: RetryRuntime = {
    sleep: (ms, signal) => clock.sleep(ms, signal),
    random: () => 0.5,
    now: () => clock.now(),
  };
  const timeouts: number[] = [];
  const run = (attempt: () => Promise<unknown>, ms: number): Promise<unknown> =>
    retryWithinDeadline(attempt, undefined, [], ms, policy, runtime, clock, (limit) =>
      timeouts.push(limit),
    );
  return { clock, run, timeouts };
}

describe('retryWithinDeadline', () => {
  it('returns the first success within the deadline', async () => {
    const { run } = setup();
    let calls = 0;
    await expect(
      run(() => (++calls < 2 ? Promise.reject(new Error('x')) : Promise.resolve(calls)), 1_000),
    ).resolves.toBe(2);
  });

  it('aborts a running attempt at the deadline and rejects with a TimeoutError, reporting it', async () => {
    const { run, clock, timeouts } = setup();
    let signal: AbortSignal | undefined;
    const result = run(() => {
      signal = currentSignal();
      return new Promise(() => {});
    }, 300).catch((e: unknown) => e);
    await clock.advance(300);
    const error = (await result) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeoutMs).toBe(300);
    expect(signal?.aborted).toBe(true);
    expect(timeouts).toEqual([300]);
  });

  it('gives no cause when the first attempt was still running', async () => {
    const { run, clock } = setup();
    const result = run(() => new Promise(() => {}), 300).catch((e: unknown) => e);
    await clock.advance(300);
    expect((await result) as TimeoutError).not.toHaveProperty('cause');
  });

  it('gives the last failure before the deadline as the cause, not the aborted attempt', async () => {
    const { run, clock } = setup();
    let calls = 0;
    const result = run(
      () => (++calls === 1 ? Promise.reject(new Error('attempt 1 failed')) : new Promise(() => {})),
      300,
    ).catch((e: unknown) => e);
    await clock.advance(300);
    expect(((await result) as TimeoutError).cause).toMatchObject({ message: 'attempt 1 failed' });
  });

  it('runs with no deadline for 0, the retries alone bounding the call', async () => {
    const { run } = setup();
    await expect(run(() => Promise.reject(new Error('always')), 0)).rejects.toThrow('always');
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const { run } = setup();
    const controller = new AbortController();
    const result = runWithContext({ signal: controller.signal }, () =>
      run(() => new Promise(() => {}), 10_000),
    );
    controller.abort(new Error('caller left'));
    await expect(result).rejects.toThrow('caller left');
  });
});
