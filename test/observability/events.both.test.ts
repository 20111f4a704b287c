import { Cached, CircuitBreaker, ExecutionUtils, Retry, Timeout, runWithContext } from '../../src';
import type { ExecutionEventName, ExecutionEvents } from '../../src';
import { deferred, rig } from '../helpers';

class Shop {
  calls = 0;
  failures = 0;
  gate: Promise<string> | undefined;

  @Cached()
  async price(id: string): Promise<string> {
    this.calls++;
    if (this.gate) return this.gate;
    return `price-${id}`;
  }

  @Retry({ attempts: 3, backoff: 10, minDelay: 10, maxDelay: 10 })
  async flaky(): Promise<string> {
    if (this.failures-- > 0) throw new Error('transient');
    return 'ok';
  }

  @Timeout(50)
  async slow(): Promise<string> {
    return new Promise(() => {});
  }

  @CircuitBreaker({ consecutiveFailures: 1, halfOpenAfter: 100 })
  async fragile(fail: boolean): Promise<string> {
    if (fail) throw new Error('down');
    return 'up';
  }
}

/** Records every event of `names`, in order, as [name, payload]. */
function record(utils: ExecutionUtils, names: ExecutionEventName[]): [string, unknown][] {
  const seen: [string, unknown][] = [];
  for (const name of names) {
    utils.on(name, (payload: ExecutionEvents[typeof name]) => seen.push([name, payload]));
  }
  return seen;
}

describe('events (both decorator standards)', () => {
  it('reports miss, set, hit and coalesced per operation, in order, with no tenant in them', async () => {
    const { utils } = rig();
    const seen = record(utils, ['hit', 'miss', 'coalesced', 'set']);
    const shop = new Shop();
    const gate = deferred<string>();
    shop.gate = gate.promise;
    await runWithContext({ userId: 'alice' }, async () => {
      const first = shop.price('a');
      const second = shop.price('a');
      gate.resolve('p');
      await Promise.all([first, second]);
      await shop.price('a');
    });
    expect(seen).toEqual([
      ['miss', { operation: 'Shop.price' }],
      ['miss', { operation: 'Shop.price' }],
      ['coalesced', { operation: 'Shop.price' }],
      ['set', { operation: 'Shop.price' }],
      ['hit', { operation: 'Shop.price' }],
    ]);
    expect(JSON.stringify(seen)).not.toContain('alice');
  });

  it('reports each retry with its attempt and delay, then the outcome of the executions', async () => {
    const { utils } = rig();
    const seen = record(utils, ['retry', 'giveUp', 'executed']);
    const shop = new Shop();
    shop.failures = 5;
    await expect(shop.flaky()).rejects.toThrow('transient');
    expect(seen.map(([name]) => name)).toEqual(['retry', 'retry', 'giveUp', 'executed']);
    expect(seen[0][1]).toMatchObject({
      operation: 'Shop.flaky',
      attempt: 1,
      attempts: 3,
      delayMs: 10,
    });
    expect(seen[2][1]).toMatchObject({ operation: 'Shop.flaky', attempts: 3 });
    expect(seen[3][1]).toMatchObject({ operation: 'Shop.flaky', ok: false });
  });

  it('reports an attempt timeout with its scope and limit', async () => {
    const { utils, clock } = rig();
    const seen = record(utils, ['timeout']);
    const call = new Shop().slow().catch((e: unknown) => e);
    await clock.advance(50);
    await call;
    expect(seen).toEqual([
      ['timeout', { operation: 'Shop.slow', scope: 'attempt', timeoutMs: 50 }],
    ]);
  });

  it('reports a total deadline as scope total', async () => {
    const { utils, clock } = rig();
    const seen = record(utils, ['timeout']);
    const never = (): Promise<never> => new Promise(() => {});
    const call = utils.executeWithRetryAndTimeout(never, 70).catch((e: unknown) => e);
    await clock.advance(70);
    await call;
    expect(seen).toEqual([['timeout', { operation: 'never', scope: 'total', timeoutMs: 70 }]]);
  });

  it('reports breaker transitions and refusals', async () => {
    const { utils, clock } = rig();
    const seen = record(utils, ['breakerStateChange', 'breakerRejected']);
    const shop = new Shop();
    await expect(shop.fragile(true)).rejects.toThrow('down');
    await expect(shop.fragile(false)).rejects.toMatchObject({ name: 'CircuitOpenError' });
    await clock.advance(100);
    await expect(shop.fragile(false)).resolves.toBe('up');
    expect(seen).toEqual([
      ['breakerStateChange', { breaker: 'Shop.fragile', from: 'closed', to: 'open' }],
      ['breakerRejected', { operation: 'Shop.fragile', breaker: 'Shop.fragile' }],
      ['breakerStateChange', { breaker: 'Shop.fragile', from: 'open', to: 'half-open' }],
      ['breakerStateChange', { breaker: 'Shop.fragile', from: 'half-open', to: 'closed' }],
    ]);
  });

  it('stops calling a listener after off(), and ignores one that throws', async () => {
    const { utils } = rig();
    const hits: string[] = [];
    const listener = ({ operation }: { operation: string }): void => void hits.push(operation);
    utils.on('miss', () => {
      throw new Error('listener bug');
    });
    utils.on('miss', listener);
    const shop = new Shop();
    await shop.price('a');
    utils.off('miss', listener);
    await shop.price('b');
    expect(hits).toEqual(['Shop.price']);
  });

  it('refuses an unknown event name with ConfigError', () => {
    const { utils } = rig();
    expect(() => utils.on('hits' as ExecutionEventName, () => {})).toThrow(/event/);
  });
});

describe('getStats(operation)', () => {
  it('counts per operation, keeps the totals, and gives zeros for an unknown operation', async () => {
    const { utils } = rig();
    const shop = new Shop();
    await shop.price('a');
    await shop.price('a');
    shop.failures = 1;
    await shop.flaky();
    expect(utils.getStats('Shop.price')).toMatchObject({
      hits: 1,
      misses: 1,
      sets: 1,
      hitRate: 0.5,
    });
    expect(utils.getStats('Shop.flaky')).toMatchObject({ hits: 0, retries: 1 });
    expect(utils.getStats()).toMatchObject({ hits: 1, misses: 1, retries: 1 });
    expect(utils.getStats('Nobody.calls')).toMatchObject({ hits: 0, misses: 0, hitRate: 0 });
    expect(utils.operations()).toEqual(expect.arrayContaining(['Shop.price', 'Shop.flaky']));
  });
});
