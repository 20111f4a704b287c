import { currentSignal, getExecutionContext, runWithContext } from '../../src';
import { CallKeys } from '../../src/pipeline/call-key';
import { cacheWrite } from '../../src/pipeline/cache-write';
import { flightLoad, type MethodShape, type SharedLoad } from '../../src/pipeline/flight-load';
import type { Stage } from '../../src/pipeline/stage';
import { deferred } from '../helpers';
import { memoryCache, probeRig } from './support';

function setup(
  next: Stage,
  shape: MethodShape = { returnsPromise: undefined },
  shared?: SharedLoad,
) {
  const { probe, clock, counters } = probeRig('Svc.op');
  const cache = memoryCache(clock);
  const keys = new CallKeys('Svc.op', 'optional', undefined);
  const options = {};
  const write = cacheWrite({ operation: 'Svc.op', options, ttl: 1_000, grace: 0, cache, probe });
  const load = flightLoad(next, {
    operation: 'Svc.op',
    cache,
    keys,
    write,
    tagged: false,
    shape,
    shared,
  });
  return { load, cache, keys, shape, counters };
}

describe('flightLoad', () => {
  it('returns a synchronous result as it is, caches it and learns the method is not async', () => {
    const { load, cache, shape } = setup(() => 'sync');
    expect(load('"k"', undefined, [], false)).toBe('sync');
    expect(cache.local.get('"k"')).toBe('sync');
    expect(shape.returnsPromise).toBe(false);
    expect(cache.flights.size).toBe(0);
  });

  it('keeps an async load in flight under its key until it settles, then caches the value', async () => {
    const gate = deferred<string>();
    const { load, cache, shape } = setup(() => gate.promise);
    const result = load('"k"', undefined, [], false);
    expect(shape.returnsPromise).toBe(true);
    expect(cache.flights.get('"k"')).toBeDefined();
    gate.resolve('v');
    await expect(result).resolves.toBe('v');
    expect(cache.flights.get('"k"')).toBeUndefined();
    expect(cache.local.get('"k"')).toBe('v');
  });

  it('frees the key and caches nothing when the load rejects', async () => {
    const { load, cache } = setup(() => Promise.reject(new Error('down')));
    await expect(load('"k"', undefined, [], false)).rejects.toThrow('down');
    expect(cache.flights.size).toBe(0);
    expect(cache.local.read('"k"')).toBeUndefined();
  });

  it('runs the method with the arguments and this it was given', () => {
    const seen: unknown[] = [];
    const self = {};
    const { load } = setup((thisArg, args) => {
      seen.push(thisArg, args);
      return 1;
    });
    load('"k"', self, ['a'], false);
    expect(seen).toEqual([self, ['a']]);
  });

  it('caches the value under the tenant of the key built last', async () => {
    const { load, cache, keys } = setup(() => Promise.resolve('v'));
    const key = runWithContext({ userId: 'u1' }, () => keys.of([]));
    await load(key, undefined, [], false);
    expect(cache.local.read(key)?.tenant).toBe('u1');
  });

  it("runs a cancellable caller's work in the flight's own scope, not under the caller's signal", async () => {
    let seen: AbortSignal | undefined;
    const { load } = setup(() => {
      seen = currentSignal();
      return Promise.resolve(1);
    });
    const controller = new AbortController();
    await runWithContext({ signal: controller.signal }, () => load('"k"', undefined, [], false));
    expect(seen).toBeInstanceOf(AbortSignal);
    expect(seen).not.toBe(controller.signal);
  });

  it("aborts the flight's scope once its only caller leaves, and rejects that caller with its reason", async () => {
    const gate = deferred<string>();
    let seen: AbortSignal | undefined;
    const { load, cache } = setup(() => {
      seen = currentSignal();
      return gate.promise;
    });
    const controller = new AbortController();
    const result = runWithContext({ signal: controller.signal }, () =>
      load('"k"', undefined, [], false),
    );
    controller.abort(new Error('caller left'));
    await expect(result).rejects.toThrow('caller left');
    expect(seen?.aborted).toBe(true);
    expect(cache.flights.get('"k"')).toBeUndefined();
    gate.resolve('late');
  });

  it("runs a detached load with the caller's context fields but without its signal", async () => {
    let seen: AbortSignal | undefined = new AbortController().signal;
    let user: string | undefined;
    const { load } = setup(() => {
      seen = currentSignal();
      user = getExecutionContext()?.userId;
      return Promise.resolve(1);
    });
    const controller = new AbortController();
    await runWithContext({ userId: 'u1', signal: controller.signal }, () =>
      load('"k"', undefined, [], true),
    );
    expect(user).toBe('u1');
    expect(seen).toBeUndefined();
  });

  it('loads through the shared tier once the method is known to return a Promise', async () => {
    const calls: unknown[][] = [];
    const shared: SharedLoad = (key, _thisArg, args, flight) => {
      calls.push([key, args, flight.stamp, flight.tenant]);
      return Promise.resolve('from shared');
    };
    const { load, keys } = setup(() => Promise.resolve('local'), { returnsPromise: true }, shared);
    const key = runWithContext({ userId: 'u1' }, () => keys.of([1]));
    await expect(load(key, undefined, [1], false)).resolves.toBe('from shared');
    expect(calls).toEqual([[key, [1], 0, 'u1']]);
  });

  it('leaves the writes to the shared path: its flight caches nothing itself', async () => {
    const shared: SharedLoad = () => Promise.resolve('from shared');
    const { load, cache } = setup(() => 'unused', { returnsPromise: true }, shared);
    await load('"k"', undefined, [], false);
    expect(cache.local.read('"k"')).toBeUndefined();
  });

  it('loads through the rest of the pipeline while it is unknown whether the method is async', async () => {
    const shared: SharedLoad = () => Promise.resolve('from shared');
    const { load } = setup(() => Promise.resolve('local'), { returnsPromise: undefined }, shared);
    await expect(load('"k"', undefined, [], false)).resolves.toBe('local');
  });
});
