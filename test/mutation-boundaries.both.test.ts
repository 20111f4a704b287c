// Rules at their exact boundaries, written to kill mutants StrykerJS found surviving
// (`npm run mutation`): each test fails if a `<` became `<=`, a guard were dropped, and so on.
import { Cached, Retry, runWithContext } from '../src';
import { MemoryStore } from '../src/cache/memory-store';
import { MISS } from '../src/cache/store';
import { ManualClock } from '../src/testing/manual-clock';
import { rig } from './helpers';

class Hinted extends Error {
  constructor(readonly retryAfterMs: unknown) {
    super('hinted');
  }
}

class Boundaries {
  calls = 0;
  failWith: () => unknown = () => new Error('transient');

  @Retry({ attempts: 2, backoff: 100, minDelay: 100, maxDelay: 1_000 })
  async once(): Promise<string> {
    if (++this.calls === 1) throw this.failWith();
    return 'ok';
  }

  @Retry({ attempts: 3, backoff: 100, minDelay: 100, maxDelay: 100, maxElapsed: 100 })
  async tight(): Promise<string> {
    this.calls++;
    throw new Error('always');
  }

  @Cached({ ttl: 1_000, staleWhileRevalidate: 500, staleIfError: 2_000 })
  @Retry({ attempts: 1 })
  async windows(): Promise<string> {
    this.calls++;
    if (this.calls > 1) throw new Error('source down');
    return 'first';
  }
}

describe('retry boundaries', () => {
  it('retries a null rejection like any other failure', async () => {
    rig();
    const svc = new Boundaries();
    svc.failWith = () => null;
    await expect(svc.once()).resolves.toBe('ok');
  });

  it('waits 0 ms when the error asks for retryAfterMs 0, not the backoff', async () => {
    const { waits } = rig();
    const svc = new Boundaries();
    svc.failWith = () => new Hinted(0);
    await svc.once();
    expect(waits).toEqual([0]);
  });

  it('ignores a retryAfterMs that is not a number', async () => {
    const { waits } = rig();
    const svc = new Boundaries();
    svc.failWith = () => new Hinted('5');
    await svc.once();
    expect(waits).toEqual([100]);
  });

  it('does not start a wait that would end exactly at the deadline', async () => {
    const { waits } = rig();
    const svc = new Boundaries();
    await expect(svc.tight()).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 100 });
    expect(waits).toEqual([]);
    expect(svc.calls).toBe(1);
  });

  it('reports no give-up for a call its caller aborted', async () => {
    const { utils } = rig();
    const giveUps: unknown[] = [];
    utils.on('giveUp', (e) => giveUps.push(e));
    const controller = new AbortController();
    const svc = new Boundaries();
    svc.failWith = () => {
      controller.abort(new Error('caller left'));
      return new Error('transient');
    };
    await expect(runWithContext({ signal: controller.signal }, () => svc.once())).rejects.toThrow();
    expect(giveUps).toEqual([]);
  });
});

describe('timeout boundaries', () => {
  it('rejects with the caller reason at once, without running the work, if already aborted', async () => {
    const { utils } = rig();
    const work = jest.fn(async () => 'ran');
    const signal = AbortSignal.abort(new Error('already gone'));
    await expect(runWithContext({ signal }, () => utils.withTimeout(100, work))).rejects.toThrow(
      'already gone',
    );
    expect(work).not.toHaveBeenCalled();
  });

  it('turns a synchronous throw of the work into a rejection and clears the timer', async () => {
    const { utils, clock } = rig();
    const call = utils.withTimeout(100, () => {
      throw new Error('sync');
    });
    await expect(call).rejects.toThrow('sync');
    expect(clock.pendingTimers).toBe(0);
  });

  it('resolves with a plain (non-promise) value and clears the timer', async () => {
    const { utils, clock } = rig();
    await expect(utils.withTimeout(100, () => 'plain')).resolves.toBe('plain');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('stale window boundaries', () => {
  it('serves stale-while-revalidate (no new call) until 1 ms before the window ends', async () => {
    const { clock, utils } = rig();
    const svc = new Boundaries();
    await svc.windows();
    await clock.advance(1_000 + 499);
    await expect(svc.windows()).resolves.toBe('first');
    expect(utils.getStats().staleHits).toBe(1);
  });

  it('at the end of the revalidate window, runs the call and serves the entry only for its error', async () => {
    const { clock, utils } = rig();
    const svc = new Boundaries();
    await svc.windows();
    await clock.advance(1_000 + 500);
    await expect(svc.windows()).resolves.toBe('first');
    expect(utils.getStats()).toMatchObject({ staleHits: 0, staleIfError: 1 });
  });

  it('stops serving an entry instead of an error exactly when stale-if-error ends', async () => {
    const { clock } = rig();
    const svc = new Boundaries();
    await svc.windows();
    await clock.advance(1_000 + 2_000);
    await expect(svc.windows()).rejects.toThrow('source down');
  });
});

const NO_LABELS = { operation: '', tenant: '', tags: [] };

describe('MemoryStore stale entries at their boundaries', () => {
  it('has() and get() say fresh 1 ms before ttl and not at ttl, for an entry kept for its windows', async () => {
    const clock = new ManualClock();
    const s = new MemoryStore(10, 0, clock, () => {});
    s.write('k', { value: 'v', freshFor: 1_000, keptFor: 1_500, ...NO_LABELS });
    await clock.advance(999);
    expect(s.has('k')).toBe(true);
    expect(s.get('k')).toBe('v');
    await clock.advance(1);
    expect(s.has('k')).toBe(false);
    expect(s.get('k')).toBe(MISS);
    expect(s.stale('k')?.value).toBe('v');
    await clock.advance(500);
    expect(s.stale('k')).toBeUndefined();
  });

  it('keeps an entry with ttl 0 forever even with a grace period (nothing to go stale)', async () => {
    const clock = new ManualClock();
    const s = new MemoryStore(10, 1_000, clock, () => {});
    s.write('k', { value: 'v', freshFor: Infinity, keptFor: Infinity, ...NO_LABELS });
    await clock.advance(10_000_000);
    expect(s.get('k')).toBe('v');
    expect(s.stale('k')).toBeUndefined();
  });
});
