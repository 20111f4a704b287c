import { currentSignal, runWithContext, TimeoutError } from '../../src';
import { timeoutStage } from '../../src/pipeline/timeout-stage';
import type { Stage } from '../../src/pipeline/stage';
import { ManualClock } from '../../src/testing/manual-clock';
import { deferred } from '../helpers';

function setup(next: Stage, ms = 100) {
  const clock = new ManualClock();
  const timeouts: number[] = [];
  const onTimeout = (limit: number): void => void timeouts.push(limit);
  const stage = timeoutStage(next, { ms, operation: 'Svc.op', clock, onTimeout });
  return { stage, clock, timeouts };
}

describe('timeoutStage', () => {
  it("resolves with the attempt's value and leaves no timer behind", async () => {
    const { stage, clock } = setup(() => Promise.resolve('v'));
    await expect(stage(undefined, [])).resolves.toBe('v');
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes this and the arguments to the attempt', async () => {
    const self = {};
    const next = jest.fn((_t: unknown, _a: unknown[]) => 1);
    const { stage } = setup(next);
    await stage(self, ['a']);
    expect(next).toHaveBeenCalledWith(self, ['a']);
  });

  it('rejects with a TimeoutError naming the operation and the limit once it passes, and reports it', async () => {
    const { stage, clock, timeouts } = setup(() => new Promise(() => {}), 100);
    const result = stage(undefined, []) as Promise<unknown>;
    const settled = result.catch((e: unknown) => e);
    await clock.advance(99);
    expect(timeouts).toEqual([]);
    await clock.advance(1);
    const error = await settled;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ operation: 'Svc.op', timeoutMs: 100 });
    expect(timeouts).toEqual([100]);
  });

  it("aborts the attempt's signal when it times out", async () => {
    let signal: AbortSignal | undefined;
    const { stage, clock } = setup(() => {
      signal = currentSignal();
      return new Promise(() => {});
    });
    const result = (stage(undefined, []) as Promise<unknown>).catch(() => undefined);
    expect(signal?.aborted).toBe(false);
    await clock.advance(100);
    await result;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(TimeoutError);
  });

  it("rejects at once with the caller's reason when the caller aborts", async () => {
    const { stage, clock } = setup(() => new Promise(() => {}));
    const controller = new AbortController();
    const result = runWithContext({ signal: controller.signal }, () => stage(undefined, []));
    controller.abort(new Error('caller gave up'));
    await expect(result).rejects.toThrow('caller gave up');
    expect(clock.pendingTimers).toBe(0);
  });

  it('ignores a result that arrives after the timeout', async () => {
    const late = deferred<string>();
    const { stage, clock } = setup(() => late.promise);
    const result = (stage(undefined, []) as Promise<unknown>).catch((e: unknown) => e);
    await clock.advance(100);
    late.resolve('late');
    expect(await result).toBeInstanceOf(TimeoutError);
  });
});
