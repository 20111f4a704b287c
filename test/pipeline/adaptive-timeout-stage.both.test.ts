import { TimeoutError } from '../../src';
import { adaptiveTimeoutStage } from '../../src/pipeline/adaptive-timeout-stage';
import type { Stage } from '../../src/pipeline/stage';
import type { LatencyTracker } from '../../src/resilience/latency-tracker';
import { ManualClock } from '../../src/testing/manual-clock';
import { deferred } from '../helpers';

/** A tracker whose limit the test sets, recording what the stage feeds it. */
function fakeTracker(limit: number): { tracker: LatencyTracker; recorded: number[] } {
  const recorded: number[] = [];
  const tracker = { limit: () => limit, record: (ms: number) => void recorded.push(ms) };
  return { tracker: tracker as unknown as LatencyTracker, recorded };
}

function setup(next: Stage, limit = 300) {
  const clock = new ManualClock();
  const timeouts: number[] = [];
  const onTimeout = (ms: number): void => void timeouts.push(ms);
  const { tracker, recorded } = fakeTracker(limit);
  // The base guard's own ms is replaced by the tracker's current limit.
  const stage = adaptiveTimeoutStage(
    next,
    { ms: 10_000, operation: 'Svc.op', clock, onTimeout },
    tracker,
  );
  return { stage, clock, recorded, timeouts };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('adaptiveTimeoutStage', () => {
  it("bounds the attempt by the tracker's current limit, not the base guard's", async () => {
    const { stage, clock, timeouts } = setup(() => new Promise(() => {}), 300);
    const result = (stage(undefined, []) as Promise<unknown>).catch((e: unknown) => e);
    await clock.advance(300);
    const error = await result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(300);
    expect(timeouts).toEqual([300]);
  });

  it("records a success's latency", async () => {
    const gate = deferred<string>();
    const { stage, clock, recorded } = setup(() => gate.promise);
    const result = stage(undefined, []);
    await clock.advance(120);
    gate.resolve('v');
    await expect(result).resolves.toBe('v');
    await flush();
    expect(recorded).toEqual([120]);
  });

  it('records the limit a timed-out attempt hit', async () => {
    const { stage, clock, recorded } = setup(() => new Promise(() => {}), 300);
    const result = (stage(undefined, []) as Promise<unknown>).catch(() => undefined);
    await clock.advance(300);
    await result;
    await flush();
    expect(recorded).toEqual([300]);
  });

  it('records nothing for a failure', async () => {
    const { stage, recorded } = setup(() => Promise.reject(new Error('down')));
    await expect(stage(undefined, [])).rejects.toThrow('down');
    await flush();
    expect(recorded).toEqual([]);
  });

  it("records nothing for another timeout's TimeoutError (a nested call's own limit)", async () => {
    const inner = new TimeoutError('Other.op', 50);
    const { stage, recorded } = setup(() => Promise.reject(inner), 300);
    await expect(stage(undefined, [])).rejects.toBe(inner);
    await flush();
    expect(recorded).toEqual([]);
  });
});
