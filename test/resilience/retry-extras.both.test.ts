import { Retry, TimeoutError, currentSignal } from '../../src';
import { rig } from '../helpers';

class RetryAfterError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`slow down for ${retryAfterMs} ms`);
  }
}

class Extras {
  calls = 0;
  signals: (AbortSignal | undefined)[] = [];
  failWith: () => unknown = () => new Error('transient');
  hang = false;

  @Retry({ attempts: 5, backoff: 100, minDelay: 100, maxDelay: 1_000, maxElapsed: 500 })
  async bounded(): Promise<string> {
    this.calls++;
    this.signals.push(currentSignal());
    if (this.hang) return new Promise<string>(() => {});
    throw this.failWith();
  }

  @Retry({ attempts: 3, backoff: 10, minDelay: 10, maxDelay: 2_000 })
  async hinted(): Promise<string> {
    this.calls++;
    if (this.calls < 3) throw this.failWith();
    return 'done';
  }

  @Retry({
    attempts: 2,
    backoff: 10,
    minDelay: 10,
    retryAfter: (e) => (e instanceof Error && e.message === 'custom' ? 42 : undefined),
  })
  async customHint(): Promise<string> {
    this.calls++;
    if (this.calls === 1) throw new Error('custom');
    return 'ok';
  }
}

describe('@Retry maxElapsed', () => {
  it('fails with TimeoutError (cause: the last error) when the next wait would pass the deadline', async () => {
    const { waits, utils } = rig();
    const svc = new Extras();
    const error = await svc.bounded().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 500, operation: 'Extras.bounded' });
    expect((error as TimeoutError).cause).toMatchObject({ message: 'transient' });
    // The sleep stub does not move the clock, so each wait is measured from the start:
    // 100, 200 and 400 ms end before the 500 ms deadline; 800 would not, so it is never started.
    expect(waits).toEqual([100, 200, 400]);
    expect(svc.calls).toBe(4);
    expect(utils.getStats().timeouts).toBe(1);
  });

  it('aborts the running attempt at the deadline and rejects at once', async () => {
    const { clock } = rig();
    const svc = new Extras();
    svc.hang = true;
    const call = svc.bounded();
    const outcome = expect(call).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 500 });
    await clock.advance(500);
    await outcome;
    expect(svc.signals[0]?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a negative maxElapsed when the decorator is applied', () => {
    expect(() => Retry({ maxElapsed: -1 })).toThrow(/maxElapsed/);
  });
});

describe('@Retry retryAfter', () => {
  it("waits what the error's retryAfterMs asks instead of the backoff", async () => {
    const { waits } = rig();
    const svc = new Extras();
    svc.failWith = () => new RetryAfterError(750);
    expect(await svc.hinted()).toBe('done');
    expect(waits).toEqual([750, 750]);
  });

  it('caps the hinted wait at maxDelay', async () => {
    const { waits } = rig();
    const svc = new Extras();
    svc.failWith = () => new RetryAfterError(60_000);
    await svc.hinted();
    expect(waits).toEqual([2_000, 2_000]);
  });

  it('uses the backoff when the error gives no hint', async () => {
    const { waits } = rig();
    const svc = new Extras();
    await svc.hinted();
    expect(waits).toEqual([10, 20]);
  });

  it('lets a retryAfter hook read the hint', async () => {
    const { waits } = rig();
    const svc = new Extras();
    expect(await svc.customHint()).toBe('ok');
    expect(waits).toEqual([42]);
  });
});
