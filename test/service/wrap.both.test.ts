import { ConfigError, TimeoutError } from '../../src';
import { ServiceCore } from '../../src/service/service-core';
import { wrapFunction } from '../../src/service/wrap';
import { ManualClock } from '../../src/testing/manual-clock';
import { configErrorOf } from '../helpers';

function setup() {
  const clock = new ManualClock();
  const core = new ServiceCore({
    clock,
    retryJitter: 'none',
    sleep: (ms, signal) => clock.sleep(ms, signal),
  });
  return { core, clock };
}

describe('wrapFunction', () => {
  it('calls the function with its this and arguments', () => {
    const { core } = setup();
    const wrapped = wrapFunction(
      core,
      function (this: { base: number }, n: number) {
        return this.base + n;
      },
      { name: 'add' },
    );
    expect(wrapped.call({ base: 1 }, 2)).toBe(3);
  });

  it('keeps a sync function without policies past the cache sync', () => {
    const { core } = setup();
    expect(wrapFunction(core, () => 7, { name: 'seven' })()).toBe(7);
  });

  it('caches with cache: true, under the wrap name', async () => {
    const { core } = setup();
    let calls = 0;
    const wrapped = wrapFunction(core, async (id: number) => `${id}-${++calls}`, {
      name: 'rates',
      cache: true,
    });
    await wrapped(1);
    await expect(wrapped(1)).resolves.toBe('1-1');
    expect(core.stats.snapshot('rates')).toMatchObject({ misses: 1, hits: 1 });
  });

  it("names the operation after the cache policy's own name when it has one", async () => {
    const { core } = setup();
    const wrapped = wrapFunction(core, async () => 1, { name: 'outer', cache: { name: 'inner' } });
    await wrapped();
    expect(core.stats.snapshot('inner').misses).toBe(1);
  });

  it('does not cache with cache: false', async () => {
    const { core } = setup();
    let calls = 0;
    const wrapped = wrapFunction(core, async () => ++calls, { name: 'n', cache: false });
    await wrapped();
    await expect(wrapped()).resolves.toBe(2);
  });

  it('takes a timeout as a number of ms', async () => {
    const { core, clock } = setup();
    const wrapped = wrapFunction(core, () => new Promise(() => {}), { name: 'slow', timeout: 100 });
    const result = wrapped().catch((e: unknown) => e);
    await clock.advance(100);
    expect(await result).toBeInstanceOf(TimeoutError);
  });

  it('retries with a retry policy', async () => {
    const { core } = setup();
    let calls = 0;
    const wrapped = wrapFunction(
      core,
      async () => {
        if (++calls < 3) throw new Error('transient');
        return calls;
      },
      { name: 'flaky', retry: { attempts: 3 } },
    );
    await expect(wrapped()).resolves.toBe(3);
  });

  it('lets two wrapped functions share a name (given on purpose)', async () => {
    const { core } = setup();
    const a = wrapFunction(core, async () => 'a', { name: 'shared', cache: true });
    const b = wrapFunction(core, async () => 'b', { name: 'shared', cache: true });
    await a();
    await expect(b()).resolves.toBe('a');
  });

  it('refuses a missing name, a non-function and a bad policy at wrap time', () => {
    const { core } = setup();
    expect(configErrorOf(() => wrapFunction(core, () => 1, { name: '' })).message).toContain(
      'name',
    );
    expect(() => wrapFunction(core, 1 as unknown as () => number, { name: 'x' })).toThrow(
      ConfigError,
    );
    expect(
      configErrorOf(() => wrapFunction(core, () => 1, { name: 'x', retry: { attempts: 0 } }))
        .message,
    ).toContain('wrap(x).retry');
  });
});
