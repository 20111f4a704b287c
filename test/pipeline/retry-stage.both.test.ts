import { runWithContext, TimeoutError } from '../../src';
import type { ExecutionEvents } from '../../src/observability/events';
import { retryStage } from '../../src/pipeline/retry-stage';
import type { Stage } from '../../src/pipeline/stage';
import type { RetryPolicy, RetryRuntime } from '../../src/resilience/retry';
import { probeRig } from './support';

function setup(next: Stage, policy: Partial<RetryPolicy> = {}) {
  const { probe, clock, counters, bus } = probeRig('Svc.op');
  const waits: number[] = [];
  const runtime: RetryRuntime = {
    sleep: (ms, signal) => {
      waits.push(ms);
      return clock.sleep(ms, signal);
    },
    random: () => 0.5,
    now: () => clock.now(),
  };
  const full: RetryPolicy = {
    operation: 'Svc.op',
    attempts: 3,
    backoff: 100,
    minDelay: 100,
    maxDelay: 1_000,
    jitter: 'none',
    probe,
    ...policy,
  };
  const stage = retryStage(next, full, runtime, clock, probe);
  return { stage, clock, counters, bus, waits };
}

/** An attempt that fails `failures` times, then returns which attempt succeeded. */
function flaky(failures: number): { next: Stage; calls: () => number } {
  let calls = 0;
  const next: Stage = () =>
    ++calls <= failures
      ? Promise.reject(new Error(`attempt ${calls} failed`))
      : Promise.resolve(calls);
  return { next, calls: () => calls };
}

describe('retryStage', () => {
  it('retries a transient failure and returns the third attempt, after backing off', async () => {
    const { next } = flaky(2);
    const { stage, waits, counters } = setup(next);
    await expect(stage(undefined, [])).resolves.toBe(3);
    expect(waits).toEqual([100, 200]);
    expect(counters.retries).toBe(2);
  });

  it("rejects with the last attempt's error once the attempts run out", async () => {
    const { next, calls } = flaky(5);
    const { stage } = setup(next, { attempts: 3 });
    await expect(stage(undefined, [])).rejects.toThrow('attempt 3 failed');
    expect(calls()).toBe(3);
  });

  it("does not retry after the caller's own abort", async () => {
    const controller = new AbortController();
    let calls = 0;
    const { stage } = setup(() => {
      calls++;
      controller.abort(new Error('caller left'));
      return Promise.reject(new Error('aborted work'));
    });
    const result = runWithContext({ signal: controller.signal }, () => stage(undefined, []));
    await expect(result).rejects.toThrow('aborted work');
    expect(calls).toBe(1);
  });

  it('passes this and the arguments to every attempt', async () => {
    const self = {};
    const seen: unknown[] = [];
    const { next } = flaky(1);
    const { stage } = setup((t, a) => {
      seen.push([t, a]);
      return next(t, a);
    });
    await stage(self, ['x']);
    expect(seen).toEqual([
      [self, ['x']],
      [self, ['x']],
    ]);
  });

  describe('with maxElapsed', () => {
    it('rejects with a TimeoutError at the deadline, with the last failure as its cause', async () => {
      const { next } = flaky(1);
      let calls = 0;
      const { stage, clock } = setup(
        (t, a) => (++calls === 1 ? next(t, a) : new Promise(() => {})),
        { maxElapsed: 500 },
      );
      const result = (stage(undefined, []) as Promise<unknown>).catch((e: unknown) => e);
      await clock.advance(500);
      const error = (await result) as TimeoutError;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.timeoutMs).toBe(500);
      expect((error.cause as Error).message).toBe('attempt 1 failed');
    });

    it("reports the deadline as a 'total' timeout", async () => {
      const { stage, clock, counters, bus } = setup(() => new Promise(() => {}), {
        maxElapsed: 500,
      });
      const events: ExecutionEvents['timeout'][] = [];
      bus.on('timeout', (e) => events.push(e));
      const result = (stage(undefined, []) as Promise<unknown>).catch(() => undefined);
      await clock.advance(500);
      await result;
      expect(counters.timeouts).toBe(1);
      expect(events).toEqual([{ operation: 'Svc.op', scope: 'total', timeoutMs: 500 }]);
    });

    it('does not start a wait that would end past the deadline', async () => {
      const { next, calls } = flaky(5);
      const { stage, waits } = setup(next, { maxElapsed: 250 });
      await expect(stage(undefined, [])).rejects.toBeInstanceOf(TimeoutError);
      expect(waits).toEqual([100]);
      expect(calls()).toBe(2);
    });
  });
});
