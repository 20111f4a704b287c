import { RateLimiter } from '../../src/resilience/rate-limiter';
import { SharedRateLimiter } from '../../src/resilience/shared-rate-limiter';
import { ManualClock } from '../../src/testing';
import { FakeRemote } from '../pipeline/support';

function setup() {
  const clock = new ManualClock();
  const remote = new FakeRemote();
  const settings = {
    limit: 10,
    intervalMs: 1_000,
    burst: 10,
    scope: 'operation',
    wait: 0,
  } as const;
  const local = new RateLimiter('geo', { ...settings, limit: 2, burst: 2 });
  const limiter = new SharedRateLimiter('geo', settings, remote, local, clock);
  return { clock, remote, limiter };
}

describe('SharedRateLimiter', () => {
  it('asks Redis for each call it admits', async () => {
    const { remote, limiter } = setup();
    await expect(limiter.tryAdmit('', 0)).resolves.toBe(0);
    await expect(limiter.tryAdmit('', 0)).resolves.toBe(0);
    expect(remote.admissions).toEqual(['geo/', 'geo/']);
  });

  it('refuses here, without a round trip, until the wait Redis gave has passed', async () => {
    const { clock, remote, limiter } = setup();
    remote.admitAnswer = 300;
    await expect(limiter.tryAdmit('t1', clock.now())).resolves.toBe(300);
    await clock.advance(100);
    expect(limiter.tryAdmit('t1', clock.now())).toBe(200);
    // Another budget is asked for as usual.
    await limiter.tryAdmit('t2', clock.now());
    expect(remote.admissions).toEqual(['geo/t1', 'geo/t2']);
    await clock.advance(200);
    remote.admitAnswer = 0;
    await expect(limiter.tryAdmit('t1', clock.now())).resolves.toBe(0);
    expect(remote.admissions).toHaveLength(3);
  });

  it('admits at its local share while Redis cannot be asked', async () => {
    const { clock, remote, limiter } = setup();
    remote.admitAnswer = undefined;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.tryAdmit('', clock.now()));
    expect(answers).toEqual([0, 0, 1_000, 1_000]);
  });
});
