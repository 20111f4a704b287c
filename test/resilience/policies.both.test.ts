import 'reflect-metadata';
import {
  Bulkhead,
  BulkheadRejectedError,
  CircuitBreaker,
  CircuitOpenError,
  Retry,
  Timeout,
  runWithContext,
} from '../../src';
import { deferred, rig } from '../helpers';

class Downstream {
  calls = 0;
  fail = true;
  gates: ReturnType<typeof deferred<string>>[] = [];

  @CircuitBreaker({ consecutiveFailures: 2, halfOpenAfter: 1_000 })
  @Retry({ attempts: 5, backoff: 10, minDelay: 10 })
  async fetch(): Promise<string> {
    this.calls++;
    if (this.fail) throw new Error('down');
    return 'up';
  }

  @Retry({ attempts: 3, backoff: 10, minDelay: 10 })
  @CircuitBreaker('shared-breaker')
  async viaShared(): Promise<string> {
    this.calls++;
    throw new Error('down');
  }

  @CircuitBreaker({ consecutiveFailures: 1 })
  @Timeout(50)
  async slow(): Promise<string> {
    this.calls++;
    return new Promise<string>(() => {});
  }

  @Bulkhead({ maxConcurrent: 1, maxQueue: 1 })
  @Retry({ attempts: 3, backoff: 10, minDelay: 10 })
  @Timeout(100)
  async limited(): Promise<string> {
    this.calls++;
    const gate = deferred<string>();
    this.gates.push(gate);
    return gate.promise;
  }

  @Bulkhead({ maxConcurrent: 1, maxQueue: 10 })
  async ordered(label: string): Promise<string> {
    this.calls++;
    const gate = deferred<string>();
    this.gates.push(gate);
    await gate.promise;
    return label;
  }
}

class Outer {
  constructor(private readonly downstream: Downstream) {}

  @Timeout(30)
  async viaLimited(): Promise<string> {
    return this.downstream.limited();
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('circuit breaker in the pipeline', () => {
  it('stops the retries as soon as the breaker opens mid-retry', async () => {
    const { utils } = rig();
    const svc = new Downstream();
    const error = await svc.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(svc.calls).toBe(2);
    expect(utils.getCircuitState('Downstream.fetch')).toBe('open');
    expect(utils.getStats()).toMatchObject({ circuitRejections: 1, retries: 2 });
  });

  it('refuses calls at once while open, then lets a trial through and closes on success', async () => {
    const { utils, clock } = rig();
    const svc = new Downstream();
    await svc.fetch().catch(() => undefined);
    const calls = svc.calls;
    await expect(svc.fetch()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(svc.calls).toBe(calls);
    await clock.advance(1_000);
    expect(utils.getCircuitState('Downstream.fetch')).toBe('half-open');
    svc.fail = false;
    expect(await svc.fetch()).toBe('up');
    expect(utils.getCircuitState('Downstream.fetch')).toBe('closed');
  });

  it('shares one breaker across instances', async () => {
    const { utils } = rig({
      operations: { 'shared-breaker': { circuitBreaker: { consecutiveFailures: 4 } } },
    });
    const a = new Downstream();
    const b = new Downstream();
    await a.viaShared().catch(() => undefined);
    expect(utils.getCircuitState('shared-breaker')).toBe('closed');
    await b.viaShared().catch(() => undefined);
    expect(utils.getCircuitState('shared-breaker')).toBe('open');
    expect(a.calls).toBe(3);
    expect(b.calls).toBe(1);
  });

  it('counts an attempt timeout as a failure of the dependency', async () => {
    const { utils, clock } = rig();
    const svc = new Downstream();
    const call = svc.slow();
    const outcome = expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    await clock.advance(50);
    await outcome;
    expect(utils.getCircuitState('Downstream.slow')).toBe('open');
  });

  it('isolates and resets a breaker no call has used yet', async () => {
    const { utils } = rig();
    utils.isolate('Downstream.fetch');
    expect(utils.getCircuitState('Downstream.fetch')).toBe('open');
    const svc = new Downstream();
    const error = (await svc.fetch().catch((e: unknown) => e)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.retryAfterMs).toBe(Infinity);
    expect(svc.calls).toBe(0);
    utils.reset('Downstream.fetch');
    expect(utils.getCircuitState('Downstream.fetch')).toBe('closed');
    svc.fail = false;
    expect(await svc.fetch()).toBe('up');
  });

  it('reports a name nobody used as closed', () => {
    expect(rig().utils.getCircuitState('never-used')).toBe('closed');
  });
});

describe('bulkhead in the pipeline', () => {
  it('rejects a call beyond running + queue at once, and never retries the rejection', async () => {
    const { utils } = rig();
    const svc = new Downstream();
    const first = svc.limited();
    const second = svc.limited();
    await flush();
    const error = await svc.limited().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(svc.calls).toBe(1);
    expect(utils.getStats()).toMatchObject({ bulkheadRejections: 1, retries: 0 });
    svc.gates[0].resolve('a');
    await flush();
    svc.gates[1].resolve('b');
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
  });

  it('frees the slot when an attempt times out for good', async () => {
    const { clock } = rig();
    const svc = new Downstream();
    const first = svc.limited();
    const second = svc.limited();
    const firstOutcome = expect(first).rejects.toMatchObject({ name: 'TimeoutError' });
    await clock.advance(100);
    await clock.advance(100);
    await clock.advance(100);
    await firstOutcome;
    expect(svc.calls).toBe(4);
    svc.gates[3].resolve('second ran');
    expect(await second).toBe('second ran');
  });

  it('lets a queued call leave when its caller aborts', async () => {
    rig();
    const svc = new Downstream();
    const running = svc.limited();
    const controller = new AbortController();
    const queued = runWithContext({ signal: controller.signal }, () => svc.limited());
    controller.abort(new Error('caller gave up'));
    await expect(queued).rejects.toThrow('caller gave up');
    svc.gates[0].resolve('done');
    expect(await running).toBe('done');
    expect(svc.calls).toBe(1);
  });

  it('lets a queued call leave at the total deadline of an enclosing call', async () => {
    const { utils, clock } = rig({ retryAttempts: 1 });
    const svc = new Downstream();
    const running = svc.limited();
    const bounded = utils.executeWithRetryAndTimeout(() => svc.limited(), 50);
    const outcome = expect(bounded).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 50 });
    await clock.advance(50);
    await outcome;
    // Its queue place is free again: one more call may wait.
    const next = svc.limited();
    svc.gates[0].resolve('first');
    expect(await running).toBe('first');
    await flush();
    svc.gates[1].resolve('next');
    expect(await next).toBe('next');
    expect(svc.calls).toBe(2);
  });

  it('lets a queued call made inside a timed call leave when that call times out', async () => {
    const { clock } = rig();
    const svc = new Downstream();
    const outer = new Outer(svc);
    const running = svc.limited();
    const nested = outer.viaLimited();
    const outcome = expect(nested).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 30 });
    await clock.advance(30);
    await outcome;
    const next = svc.limited();
    svc.gates[0].resolve('first');
    expect(await running).toBe('first');
    await flush();
    svc.gates[1].resolve('next');
    expect(await next).toBe('next');
  });

  it('runs queued calls by the priority of their context, higher first', async () => {
    rig();
    const svc = new Downstream();
    const order: string[] = [];
    const track = (p: Promise<string>): Promise<void> => p.then((label) => void order.push(label));
    const running = track(svc.ordered('first'));
    const low = track(runWithContext({ priority: 1 }, () => svc.ordered('low')));
    const high = track(runWithContext({ priority: 5 }, () => svc.ordered('high')));
    for (let i = 0; i < 3; i++) {
      await flush();
      svc.gates[i].resolve('');
    }
    await Promise.all([running, low, high]);
    expect(order).toEqual(['first', 'high', 'low']);
  });
});

describe('retry budget in the pipeline', () => {
  class Outage {
    calls = 0;

    @Retry({ attempts: 3, backoff: 0, minDelay: 0 })
    async call(): Promise<string> {
      this.calls++;
      throw new Error('outage');
    }
  }

  it('keeps a full outage from tripling the load', async () => {
    const ratio = 0.1;
    const { utils, clock } = rig({ retryBudget: { ratio, minPerSecond: 1, windowMs: 1_000 } });
    const svc = new Outage();
    const requests = 2_000;
    for (let i = 0; i < requests; i++) {
      await svc.call().catch(() => undefined);
      if (i % 20 === 19) await clock.advance(100);
    }
    const seconds = requests / 20 / 10;
    const floor = 1 * (seconds + 1);
    expect(svc.calls).toBeLessThanOrEqual((1 + ratio) * requests + floor);
    expect(svc.calls).toBeGreaterThan(requests);
    expect(utils.getStats().budgetExhausted).toBeGreaterThan(0);
  });

  it('retries every failure without a budget', async () => {
    rig();
    const svc = new Outage();
    for (let i = 0; i < 10; i++) await svc.call().catch(() => undefined);
    expect(svc.calls).toBe(30);
  });

  it('gives an operation profile its own budget', async () => {
    const { utils } = rig({
      retryBudget: { ratio: 0, minPerSecond: 0, windowMs: 1_000 },
      operations: {
        'Outage.call': { retryBudget: { ratio: 1, minPerSecond: 0, windowMs: 1_000 } },
      },
    });
    const svc = new Outage();
    await svc.call().catch(() => undefined);
    expect(svc.calls).toBe(2);
    expect(utils.getStats().budgetExhausted).toBe(1);
  });
});
