import { Bulkhead, ConfigError, currentSignal, Hedge, runWithContext } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import type { ManualClock } from '../../src/testing';
import { configErrorOf, rig } from '../helpers';

/** A backend whose n-th call takes `latencies[n]` ms on the clock (or fails with `failures[n]`). */
class Backend {
  calls = 0;
  aborted: unknown[] = [];
  latencies: number[] = [];
  failures: (Error | undefined)[] = [];

  constructor(private readonly clock: () => ManualClock) {}

  async run(): Promise<string> {
    const n = this.calls++;
    const signal = currentSignal();
    await new Promise<void>((resolve, reject) => {
      const timer = this.clock().setTimer(resolve, this.latencies[n] ?? 10);
      signal?.addEventListener('abort', () => {
        this.aborted.push(n);
        this.clock().clearTimer(timer);
        reject(signal.reason);
      });
    });
    if (this.failures[n]) throw this.failures[n];
    return `answer ${n}`;
  }
}

let clock: ManualClock;
const backend = (): Backend => new Backend(() => clock);

class Search {
  constructor(readonly backend: Backend) {}

  @Hedge({ delay: 50 })
  async query(): Promise<string> {
    return this.backend.run();
  }

  @Hedge({ delay: 50, maxHedges: 2 })
  async twice(): Promise<string> {
    return this.backend.run();
  }

  @Hedge({ delay: { percentile: 0.95 } })
  async adaptive(): Promise<string> {
    return this.backend.run();
  }

  @Hedge({ delay: 50 })
  @Bulkhead({ maxConcurrent: 1 })
  async narrow(): Promise<string> {
    return this.backend.run();
  }
}

describe('@Hedge', () => {
  it("records its options as the method's hedge", () => {
    expect(policiesOf(Search.prototype.query)?.hedge).toEqual({ delay: 50 });
  });

  it('starts a second attempt after the delay; the first success wins, the other aborts', async () => {
    const rigged = rig();
    clock = rigged.clock;
    const b = backend();
    b.latencies = [500, 20];
    const seen: unknown[] = [];
    rigged.utils.on('hedge', (event) => seen.push(event));
    const call = new Search(b).query();
    await clock.advance(50);
    expect(b.calls).toBe(2);
    await clock.advance(20);
    await expect(call).resolves.toBe('answer 1');
    expect(b.aborted).toEqual([0]);
    expect(rigged.utils.getStats('Search.query').hedges).toBe(1);
    expect(seen).toEqual([{ operation: 'Search.query', hedge: 1 }]);
  });

  it('sends no hedge for an attempt that settles within the delay', async () => {
    clock = rig().clock;
    const b = backend();
    b.latencies = [49];
    const call = new Search(b).query();
    await clock.advance(49);
    await expect(call).resolves.toBe('answer 0');
    await clock.advance(100);
    expect(b.calls).toBe(1);
  });

  it('starts up to maxHedges, one per delay', async () => {
    clock = rig().clock;
    const b = backend();
    b.latencies = [1_000, 1_000, 10];
    const call = new Search(b).twice();
    await clock.advance(50);
    expect(b.calls).toBe(2);
    await clock.advance(50);
    expect(b.calls).toBe(3);
    await clock.advance(10);
    await expect(call).resolves.toBe('answer 2');
    expect(b.aborted.sort()).toEqual([0, 1]);
  });

  it('waits for a hedge when the first attempt fails, and fails once all have', async () => {
    clock = rig().clock;
    const b = backend();
    b.latencies = [100, 100, 100, 100];
    b.failures = [new Error('first'), undefined, new Error('third'), new Error('fourth')];
    const search = new Search(b);
    const won = search.query();
    await clock.advance(150);
    await expect(won).resolves.toBe('answer 1');
    const lost = expect(search.query()).rejects.toThrow('fourth');
    await clock.advance(150);
    await lost;
  });

  it('hedges only with an idle bulkhead slot', async () => {
    clock = rig().clock;
    const b = backend();
    b.latencies = [500];
    const call = new Search(b).narrow();
    await clock.advance(100);
    expect(b.calls).toBe(1);
    await clock.advance(400);
    await expect(call).resolves.toBe('answer 0');
  });

  it('spends the retry budget, and sends no hedge once it is spent', async () => {
    const rigged = rig({ retryBudget: { ratio: 0, minPerSecond: 1, windowMs: 1_000 } });
    clock = rigged.clock;
    const b = backend();
    b.latencies = [100, 100, 100];
    const search = new Search(b);
    const first = search.query();
    await clock.advance(100);
    await first;
    expect(b.calls).toBe(2);
    const second = search.query();
    await clock.advance(100);
    await second;
    expect(b.calls).toBe(3);
  });

  it('with a percentile delay, hedges once 20 attempts are timed, after that latency', async () => {
    clock = rig().clock;
    const b = backend();
    const search = new Search(b);
    for (let i = 0; i < 20; i++) {
      const call = search.adaptive();
      await clock.advance(10);
      await call;
    }
    expect(b.calls).toBe(20);
    b.latencies[20] = 1_000;
    const slow = search.adaptive();
    await clock.advance(10);
    expect(b.calls).toBe(22);
    await clock.advance(10);
    await expect(slow).resolves.toBe('answer 21');
  });

  it("aborts every attempt with the caller's signal", async () => {
    clock = rig().clock;
    const b = backend();
    b.latencies = [500, 500];
    const controller = new AbortController();
    const call = runWithContext({ signal: controller.signal }, () => new Search(b).query());
    await clock.advance(60);
    controller.abort(new Error('caller left'));
    await expect(call).rejects.toThrow('caller left');
    expect(b.aborted.sort()).toEqual([0, 1]);
  });

  it('takes its settings from the profile of its name', async () => {
    clock = rig({ operations: { 'Search.query': { hedge: { delay: 10 } } } }).clock;
    const b = backend();
    b.latencies = [500, 5];
    const call = new Search(b).query();
    await clock.advance(15);
    await expect(call).resolves.toBe('answer 1');
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => Hedge({} as never)).option).toBe('@Hedge.delay');
    expect(configErrorOf(() => Hedge({ delay: -1 })).option).toBe('@Hedge.delay');
    expect(configErrorOf(() => Hedge({ delay: { percentile: 1 } })).option).toBe(
      '@Hedge.delay.percentile',
    );
    expect(configErrorOf(() => Hedge({ delay: 5, maxHedges: 11 })).option).toBe('@Hedge.maxHedges');
    expect(() => Hedge({ delay: 5, other: 1 } as never)).toThrow(ConfigError);
  });
});
