import { runWithContext } from '../../src';
import { Flight } from '../../src/cache/single-flight';
import type { Load, MethodShape } from '../../src/pipeline/flight-load';
import { staleWindows } from '../../src/pipeline/stale-windows';
import { deferred } from '../helpers';
import { memoryCache, probeRig } from './support';

const KEY = '"k"';

/** Windows of 1 s (while revalidating) and 5 s (if error) over an entry fresh for 1 s. */
function setup(shape: MethodShape = { returnsPromise: true }) {
  const { probe, clock, counters } = probeRig('Svc.op');
  const cache = memoryCache(clock);
  const loads: { key: string; args: unknown[]; detached: boolean }[] = [];
  let answer: () => unknown = () => Promise.resolve('fresh');
  const load: Load = (key, _thisArg, args, detached) => {
    loads.push({ key, args, detached });
    return answer();
  };
  const windows = staleWindows(
    { staleWhileRevalidate: 1_000, staleIfError: 5_000, cache, clock, probe, shape },
    load,
  );
  const labels = { operation: 'Svc.op', tenant: '', tags: [] };
  cache.local.write(KEY, { value: 'old', freshFor: 1_000, keptFor: 6_000, ...labels });
  const answerWith = (fn: () => unknown): void => {
    answer = fn;
  };
  return { windows, clock, counters, cache, loads, answerWith };
}

describe('staleWindows.serve', () => {
  it('offers nothing for a key with no kept entry', () => {
    const { windows } = setup();
    expect(windows.serve('"other"', undefined, [])).toBeUndefined();
  });

  it('serves an entry expired within staleWhileRevalidate at once, as a Promise, counted a stale hit', async () => {
    const { windows, clock, counters } = setup();
    await clock.advance(1_500);
    const kept = windows.serve(KEY, undefined, []);
    expect(kept && 'served' in kept).toBe(true);
    await expect((kept as { served: Promise<unknown> }).served).resolves.toBe('old');
    expect(counters).toMatchObject({ staleHits: 1, hits: 1 });
  });

  it('refreshes a served entry in the background, detached from the caller', async () => {
    const { windows, clock, loads } = setup();
    await clock.advance(1_500);
    windows.serve(KEY, undefined, ['a']);
    expect(loads).toEqual([{ key: KEY, args: ['a'], detached: true }]);
  });

  it('starts no refresh while a load of the key is already in flight', async () => {
    const { windows, clock, loads, cache } = setup();
    await clock.advance(1_500);
    const flight = new Flight<unknown>(false, 'Svc.op', '', false, 0, []);
    cache.flights.track(KEY, flight, new Promise(() => {}), undefined);
    windows.serve(KEY, undefined, []);
    expect(loads).toEqual([]);
  });

  it('swallows a refresh that rejects or throws before returning its promise', async () => {
    const { windows, clock, answerWith } = setup();
    await clock.advance(1_500);
    answerWith(() => Promise.reject(new Error('down')));
    expect(() => windows.serve(KEY, undefined, [])).not.toThrow();
    answerWith(() => {
      throw new Error('sync bug');
    });
    expect(() => windows.serve(KEY, undefined, [])).not.toThrow();
    await clock.advance(0);
  });

  it('returns the entry as a fallback past staleWhileRevalidate but within staleIfError', async () => {
    const { windows, clock, loads } = setup();
    await clock.advance(3_000);
    expect(windows.serve(KEY, undefined, [])).toEqual({ value: 'old', freshUntil: 1_001_000 });
    expect(loads).toEqual([]);
  });

  it('offers nothing past both windows', async () => {
    const { windows, clock } = setup();
    await clock.advance(6_000);
    expect(windows.serve(KEY, undefined, [])).toBeUndefined();
  });

  it('offers nothing to a method known not to return a Promise', async () => {
    const { windows, clock } = setup({ returnsPromise: false });
    await clock.advance(1_500);
    expect(windows.serve(KEY, undefined, [])).toBeUndefined();
  });
});

describe('staleWindows.orStale', () => {
  const fallback = { value: 'old', freshUntil: 1_001_000 };

  it('passes a success through', async () => {
    const { windows } = setup();
    await expect(windows.orStale(Promise.resolve('new'), fallback)).resolves.toBe('new');
  });

  it('serves the stale value instead of a failure within staleIfError, and counts it', async () => {
    const { windows, clock, counters } = setup();
    await clock.advance(3_000);
    await expect(windows.orStale(Promise.reject(new Error('down')), fallback)).resolves.toBe('old');
    expect(counters.staleIfError).toBe(1);
  });

  it('rethrows a failure that comes after the staleIfError window closed', async () => {
    const { windows, clock } = setup();
    await clock.advance(3_000);
    const failure = deferred<unknown>();
    const result = windows.orStale(failure.promise, fallback);
    await clock.advance(3_000);
    failure.reject(new Error('down'));
    await expect(result).rejects.toThrow('down');
  });

  it("rethrows the caller's own abort instead of serving stale", async () => {
    const { windows, clock, counters } = setup();
    await clock.advance(3_000);
    const controller = new AbortController();
    const result = runWithContext({ signal: controller.signal }, () =>
      windows.orStale(Promise.reject(new Error('aborted')), fallback),
    );
    controller.abort();
    await expect(result).rejects.toThrow('aborted');
    expect(counters.staleIfError).toBe(0);
  });
});
