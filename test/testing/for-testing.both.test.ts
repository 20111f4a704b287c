import 'reflect-metadata';
import { container } from 'tsyringe';
import { Cached, ExecutionUtils, ManualClock, Retry, Timeout, TimeoutError } from '../../src';

class Flaky {
  calls = 0;

  @Retry({ attempts: 4, backoff: 60_000, minDelay: 60_000, maxDelay: 600_000, jitter: 'none' })
  async get(): Promise<string> {
    this.calls++;
    if (this.calls < 4) throw new Error('transient');
    return 'ok';
  }

  @Timeout(5_000)
  async hang(): Promise<string> {
    return new Promise<string>(() => {});
  }

  @Cached({ ttl: 1_000 })
  async cached(): Promise<number> {
    this.calls++;
    return this.calls;
  }
}

describe('ExecutionUtils.forTesting', () => {
  it('completes retry waits at once by moving its clock', async () => {
    const utils = ExecutionUtils.forTesting();
    container.registerInstance(ExecutionUtils, utils);
    const start = utils.clock.now();
    const realStart = Date.now();
    expect(await new Flaky().get()).toBe('ok');
    expect(utils.clock.now() - start).toBe(60_000 + 120_000 + 240_000);
    expect(Date.now() - realStart).toBeLessThan(1_000);
  });

  it('exposes a ManualClock that fires timeouts when moved by hand', async () => {
    const utils = ExecutionUtils.forTesting();
    container.registerInstance(ExecutionUtils, utils);
    expect(utils.clock).toBeInstanceOf(ManualClock);
    const call = new Flaky().hang();
    const outcome = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await utils.clock.advance(5_000);
    await outcome;
  });

  it('expires cache entries when the clock is moved', async () => {
    const utils = ExecutionUtils.forTesting();
    container.registerInstance(ExecutionUtils, utils);
    const svc = new Flaky();
    expect(await svc.cached()).toBe(1);
    await utils.clock.advance(1_001);
    expect(await svc.cached()).toBe(2);
  });

  it('keeps the other options', () => {
    expect(ExecutionUtils.forTesting({ cacheSize: 7 }).options.cacheSize).toBe(7);
  });

  it('ends a wait with the abort reason when the signal is aborted', async () => {
    const clock = new ManualClock();
    await expect(clock.sleep(10, AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop');
  });
});
