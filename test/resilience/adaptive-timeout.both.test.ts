import { Timeout, TimeoutError, type ManualClock } from '../../src';
import { rig } from '../helpers';

/** Each call takes `latency` ms of the manual clock. */
class Api {
  static clock: ManualClock;
  latency = 10;
  calls = 0;

  @Timeout({
    ms: 1_000,
    adaptive: { percentile: 0.9, multiplier: 2, min: 5, minSamples: 5, window: 20 },
  })
  async fetch(): Promise<string> {
    this.calls++;
    const latency = this.latency;
    return new Promise<string>((resolve) => {
      Api.clock.setTimer(() => resolve(`took ${latency}`), latency);
    });
  }
}

/** Runs one call to completion (or its timeout) by moving the clock as far as needed. */
async function run(api: Api, clock: ManualClock): Promise<string | TimeoutError> {
  const call = api.fetch().catch((e: TimeoutError) => e);
  await clock.advance(Math.max(api.latency, 1_000));
  return call;
}

describe('adaptive @Timeout', () => {
  it('uses max (the decorator limit) until minSamples attempts have finished', async () => {
    const { clock } = rig();
    Api.clock = clock;
    const api = new Api();
    for (let i = 0; i < 4; i++) await run(api, clock);
    api.latency = 900;
    expect(await run(api, clock)).toBe('took 900');
  });

  it('then times out at percentile x multiplier of the observed latency', async () => {
    const { clock, utils } = rig();
    Api.clock = clock;
    const api = new Api();
    for (let i = 0; i < 5; i++) await run(api, clock);
    api.latency = 25;
    const outcome = await run(api, clock);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as TimeoutError).timeoutMs).toBe(20);
    expect(utils.getStats().timeouts).toBe(1);
  });

  it('raises the limit when timeouts keep hitting it (censored samples)', async () => {
    const { clock } = rig();
    Api.clock = clock;
    const api = new Api();
    for (let i = 0; i < 5; i++) await run(api, clock);
    api.latency = 500;
    const limits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const outcome = await run(api, clock);
      if (outcome instanceof TimeoutError) limits.push(outcome.timeoutMs);
      else break;
    }
    expect(limits[0]).toBe(20);
    expect(limits.every((limit, i) => i === 0 || limit >= limits[i - 1])).toBe(true);
    expect(limits.at(-1)!).toBeGreaterThan(20);
  });

  it('shares one latency record among the instances of the class', async () => {
    const { clock } = rig();
    Api.clock = clock;
    for (let i = 0; i < 5; i++) await run(new Api(), clock);
    const fresh = new Api();
    fresh.latency = 25;
    expect(await run(fresh, clock)).toBeInstanceOf(TimeoutError);
  });

  it('rejects bad adaptive options when the decorator is applied', () => {
    expect(() => Timeout({ adaptive: { percentile: 1.5 } })).toThrow(/percentile/);
  });
});
