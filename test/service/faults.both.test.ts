import {
  Cached,
  CircuitBreaker,
  CircuitOpenError,
  ConfigError,
  ExecutionUtils,
  InjectedFaultError,
  Retry,
  runWithContext,
  Timeout,
  TimeoutError,
} from '../../src';
import { configErrorOf, prng, rig } from '../helpers';

/** A service whose `random` is seeded and whose every draw is kept, in order. */
function seeded(seed: number, options = {}) {
  const next = prng(seed);
  const draws: number[] = [];
  const rigged = rig({
    ...options,
    random: () => {
      const r = next();
      draws.push(r);
      return r;
    },
  });
  return { ...rigged, draws };
}

class Inventory {
  calls = 0;

  @Retry({ attempts: 2 })
  async count(sku: string): Promise<number> {
    this.calls++;
    return sku.length;
  }

  @Cached({ ttl: 1_000, staleIfError: 1_000_000 })
  @Retry({ attempts: 2 })
  async price(sku: string): Promise<string> {
    this.calls++;
    return `price of ${sku} #${this.calls}`;
  }

  @CircuitBreaker({ consecutiveFailures: 3, halfOpenAfter: 60_000 })
  async reserve(sku: string): Promise<string> {
    this.calls++;
    return sku;
  }

  @Timeout(100)
  async slow(): Promise<string> {
    this.calls++;
    return 'done';
  }

  @Cached()
  total(): number {
    this.calls++;
    return 1;
  }
}

describe('fault injection', () => {
  it('is off unless set: calls reach the method', async () => {
    const { utils } = rig();
    const inventory = new Inventory();
    await expect(inventory.count('ab')).resolves.toBe(2);
    expect(utils.getStats().faultsInjected).toBe(0);
  });

  it('fails attempts at failRate, so retries match the injected faults exactly', async () => {
    const { utils, draws } = seeded(1, { faults: { 'Inventory.count': { failRate: 0.2 } } });
    const inventory = new Inventory();
    let failed = 0;
    for (let i = 0; i < 500; i++) {
      await inventory.count('ab').catch((error: unknown) => {
        expect(error).toBeInstanceOf(InjectedFaultError);
        failed++;
      });
    }
    // Replays the draws: one per attempt; a failed first attempt is retried once.
    let retries = 0;
    let bothFailed = 0;
    let injected = 0;
    for (let d = 0; d < draws.length;) {
      const first = draws[d++] < 0.2;
      if (!first) continue;
      injected++;
      retries++;
      if (draws[d++] < 0.2) {
        injected++;
        bothFailed++;
      }
    }
    expect(utils.getStats('Inventory.count')).toMatchObject({ retries, faultsInjected: injected });
    expect(failed).toBe(bothFailed);
    expect(inventory.calls).toBe(draws.length - injected);
    expect(retries).toBeGreaterThan(50);
  });

  it('serves stale entries exactly when every attempt of a call was failed', async () => {
    const { utils, clock, draws } = seeded(2);
    const inventory = new Inventory();
    await inventory.price('a');
    utils.injectFaults('Inventory.price', { failRate: 0.2 });
    for (let i = 0; i < 300; i++) {
      await clock.advance(1_000);
      await inventory.price('a');
    }
    let staleIfError = 0;
    for (let d = 0; d < draws.length;) {
      if (draws[d++] < 0.2 && draws[d++] < 0.2) staleIfError++;
    }
    expect(utils.getStats('Inventory.price').staleIfError).toBe(staleIfError);
    expect(staleIfError).toBeGreaterThan(0);
  });

  it('opens a breaker at the third injected failure in a row, as the draws say', async () => {
    const { utils, draws } = seeded(3, { faults: { 'Inventory.reserve': { failRate: 0.5 } } });
    const inventory = new Inventory();
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      outcomes.push(
        await inventory.reserve('x').then(
          () => 'ok',
          (error: unknown) => (error instanceof CircuitOpenError ? 'open' : 'fault'),
        ),
      );
    }
    // Replay: every draw is an attempt that reached the fault stage; the breaker opens after
    // three failures in a row, and refuses every call after that (without a draw).
    const expected: string[] = [];
    let run = 0;
    for (const draw of draws) {
      const fault = draw < 0.5;
      expected.push(fault ? 'fault' : 'ok');
      run = fault ? run + 1 : 0;
    }
    expect(run).toBe(3);
    while (expected.length < 40) expected.push('open');
    expect(outcomes).toEqual(expected);
    expect(utils.getStats('Inventory.reserve').circuitRejections).toBe(40 - draws.length);
  });

  it('delays attempts, so a per-attempt timeout sees a slow dependency', async () => {
    const { utils, clock } = rig({ faults: { 'Inventory.slow': { latencyMs: 500 } } });
    const inventory = new Inventory();
    const call = inventory.slow();
    const settled = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(100);
    await settled;
    // The timeout ended the injected wait: the method never ran.
    await clock.advance(1_000);
    expect(inventory.calls).toBe(0);
    expect(utils.getStats('Inventory.slow')).toMatchObject({ faultsInjected: 1, timeouts: 1 });
  });

  it('uses the error it is given, made fresh by a function', async () => {
    rig({ faults: { 'Inventory.count': { error: () => new RangeError('injected') } } });
    await expect(new Inventory().count('a')).rejects.toThrow(RangeError);
  });

  it('only touches the tenants it names', async () => {
    rig({ faults: { 'Inventory.count': { failRate: 1, tenants: ['t1'] } } });
    const inventory = new Inventory();
    await expect(runWithContext({ userId: 't2' }, () => inventory.count('ab'))).resolves.toBe(2);
    await expect(runWithContext({ userId: 't1' }, () => inventory.count('ab'))).rejects.toThrow(
      InjectedFaultError,
    );
  });

  it('keeps a synchronous method synchronous', () => {
    rig({ faults: { 'Inventory.total': { failRate: 1, latencyMs: 10 } } });
    expect(() => new Inventory().total()).toThrow(InjectedFaultError);
  });

  it('starts and stops at run time with injectFaults and clearFaults', async () => {
    const { utils } = rig();
    const inventory = new Inventory();
    await expect(inventory.count('ab')).resolves.toBe(2);
    utils.injectFaults('Inventory.count', { failRate: 1 });
    await expect(inventory.count('ab')).rejects.toThrow(InjectedFaultError);
    utils.clearFaults('Inventory.count');
    await expect(inventory.count('ab')).resolves.toBe(2);
    utils.injectFaults('Inventory.count', { failRate: 1 });
    utils.clearFaults();
    await expect(inventory.count('ab')).resolves.toBe(2);
  });

  it('refuses a bad spec, naming the option', () => {
    expect(
      configErrorOf(() => new ExecutionUtils({ faults: { 'A.b': { failRate: 2 } } })).option,
    ).toBe('faults.A.b.failRate');
    expect(configErrorOf(() => new ExecutionUtils({ faults: { 'A.b': {} } })).option).toBe(
      'faults.A.b',
    );
    const utils = new ExecutionUtils();
    expect(() => utils.injectFaults('A.b', { latencyMs: -1 })).toThrow(ConfigError);
    expect(() => utils.injectFaults('A.b', { tenants: 't1' } as never)).toThrow(ConfigError);
  });
});
