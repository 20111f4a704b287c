import { ExecutionUtils, runWithContext } from '../../src';
import {
  Base,
  Catalog,
  Derived,
  Flaky,
  Guarded,
  compiledDecoratorForm,
} from '../fixtures/services';
import { rig } from '../helpers';

declare const DECORATOR_STANDARD: 'legacy' | 'standard';

describe('decorators (run under both decorator standards)', () => {
  it(`is compiled with the ${DECORATOR_STANDARD} decorator standard in this project`, () => {
    expect(compiledDecoratorForm).toEqual([DECORATOR_STANDARD]);
  });

  it('caches an async method: the second call with the same arguments does not run it', async () => {
    rig();
    const catalog = new Catalog();
    const first = await catalog.find('a');
    const second = await catalog.find('a');
    expect(second).toBe(first);
    expect(catalog.calls).toBe(1);
  });

  it('keeps a sync cached method sync, on a miss and on a hit', () => {
    rig();
    const catalog = new Catalog();
    expect(catalog.total(1, 2)).toBe(3);
    expect(catalog.total(1, 2)).toBe(3);
    expect(catalog.calls).toBe(1);
  });

  it('returns a Promise for an async method on a hit', async () => {
    rig();
    const catalog = new Catalog();
    await catalog.find('a');
    const hit = catalog.find('a');
    expect(hit).toBeInstanceOf(Promise);
    await hit;
  });

  it('keys a decorated call exactly as generateCacheKey does, so manual entries are hit', async () => {
    const { utils } = rig();
    const key = utils.generateCacheKey('Catalog.find', 'u1', 't1', ['a']);
    utils.addToCache(key, { id: 'a', n: 99 });
    const catalog = new Catalog();
    const result = await runWithContext({ userId: 'u1', taskId: 't1' }, () => catalog.find('a'));
    expect(result).toEqual({ id: 'a', n: 99 });
    expect(catalog.calls).toBe(0);
  });

  it('caches static methods under the class name', async () => {
    const { utils } = rig();
    utils.addToCache(utils.generateCacheKey('Catalog.lookup', '', '', ['x']), 'warm');
    expect(await Catalog.lookup('x')).toBe('warm');
    expect(await Catalog.lookup('y')).toBe('static-y');
    expect(await Catalog.lookup('y')).toBe('static-y');
    expect(Catalog.staticCalls).toBe(1);
  });

  it('names an inherited method after the class that declares it', async () => {
    const { utils } = rig();
    utils.addToCache(utils.generateCacheKey('Base.greet', '', '', ['bob']), 'from base key');
    const derived = new Derived();
    expect(await derived.greet('bob')).toBe('from base key');
    expect(derived.calls).toBe(0);
    expect(await new Base().greet('bob')).toBe('from base key');
  });

  it('applies the same pipeline whatever order the decorators are written in', async () => {
    const { utils } = rig();
    const flaky = new Flaky(2);
    expect(await flaky.get('a')).toBe('value-a-3');
    expect(await flaky.get('a')).toBe('value-a-3');
    expect(flaky.calls).toBe(3);
    expect(utils.getStats()).toMatchObject({ hits: 1, misses: 1, retries: 2, sets: 1 });
  });

  it('times out each attempt separately when @Timeout is written above or below @Retry', async () => {
    const { clock } = rig();
    const flaky = new Flaky();
    const call = flaky.slowThenFast();
    await clock.advance(100);
    expect(await call).toBe('attempt-2');
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps the method name and length', () => {
    expect(Catalog.prototype.find.name).toBe('find');
    expect(Catalog.prototype.total.length).toBe(2);
  });

  it('uses the instance registered at the time of each call', async () => {
    const first = rig().utils;
    const catalog = new Catalog();
    await catalog.find('a');
    const second = rig().utils;
    await catalog.find('a');
    expect(catalog.calls).toBe(2);
    expect(first.getStats().misses).toBe(1);
    expect(second.getStats().misses).toBe(1);
    expect(second).toBeInstanceOf(ExecutionUtils);
  });

  it('opens a circuit breaker after failures and stops the retries', async () => {
    const { utils } = rig();
    const guarded = new Guarded();
    await expect(guarded.failing()).rejects.toThrow('down');
    await expect(guarded.failing()).rejects.toMatchObject({ name: 'CircuitOpenError' });
    expect(guarded.calls).toBe(2);
    expect(utils.getCircuitState('guarded-both')).toBe('open');
  });

  it('rejects a call over the bulkhead at once', async () => {
    rig();
    const guarded = new Guarded();
    const first = guarded.exclusive();
    await expect(guarded.exclusive()).rejects.toMatchObject({ name: 'BulkheadRejectedError' });
    await new Promise((resolve) => setImmediate(resolve));
    guarded.release!();
    expect(await first).toBe('done');
  });
});
