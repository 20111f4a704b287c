import type { CacheEntry, CacheStore, Invalidation } from '../../src/cache/store';
import { ChaosStore } from './chaos-store';

/** The simplest working tier, answering at once: the chaos is all ChaosStore's. */
class MapStore implements CacheStore {
  readonly entries = new Map<string, CacheEntry>();

  read(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  write(key: string, entry: CacheEntry): void {
    this.entries.set(key, entry);
  }

  invalidate(what: Invalidation): number {
    const doomed = [...this.entries].filter(
      ([key, e]) =>
        what.kind === 'all' ||
        (what.kind === 'key' && key === what.key) ||
        (what.kind === 'operation' && e.operation === what.name) ||
        (what.kind === 'tenant' && e.tenant === what.id) ||
        (what.kind === 'tags' && e.tags.some((t) => what.tags.includes(t))),
    );
    for (const [key] of doomed) this.entries.delete(key);
    return doomed.length;
  }
}

const entry = (value: unknown): CacheEntry => ({
  value,
  freshFor: 1000,
  keptFor: 2000,
  operation: 'op',
  tenant: '',
  tags: [],
});

function chaos(): { store: ChaosStore; inner: MapStore } {
  const inner = new MapStore();
  return { store: new ChaosStore(inner), inner };
}

/** Follows a promise without awaiting it, to ask later whether it has settled. */
function watch(promise: Promise<unknown>): () => 'pending' | 'fulfilled' | 'rejected' {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'fulfilled'),
    () => (state = 'rejected'),
  );
  return () => state;
}

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  expect(jest.getTimerCount()).toBe(0);
  jest.useRealTimers();
});

describe('ChaosStore', () => {
  it('passes every operation to the inner store, answering with promises', async () => {
    const { store, inner } = chaos();
    const written = store.write('k', entry('v'));
    expect(written).toBeInstanceOf(Promise);
    await written;
    expect(inner.entries.get('k')?.value).toBe('v');
    await expect(store.read('k')).resolves.toEqual(entry('v'));
    await expect(store.invalidate({ kind: 'key', key: 'k' })).resolves.toBe(1);
    await expect(store.read('k')).resolves.toBeUndefined();
    expect(store.calls).toEqual({ read: 2, write: 1, invalidate: 1 });
  });

  it('failWith() rejects every call without reaching the inner store', async () => {
    const { store, inner } = chaos();
    store.failWith();
    await expect(store.write('k', entry('v'))).rejects.toThrow('chaos: store down');
    await expect(store.read('k')).rejects.toThrow('chaos: store down');
    await expect(store.invalidate({ kind: 'all' })).rejects.toThrow('chaos: store down');
    expect(inner.entries.size).toBe(0);
    expect(store.calls).toEqual({ read: 1, write: 1, invalidate: 1 });
  });

  it('failWith(error) rejects with that error', async () => {
    const { store } = chaos();
    const refused = new Error('ECONNREFUSED');
    await expect(store.failWith(refused).read('k')).rejects.toBe(refused);
  });

  it('failNext(n) fails the next n calls only', async () => {
    const { store, inner } = chaos();
    const timeout = new Error('ETIMEDOUT');
    store.failNext(2, timeout);
    await expect(store.write('k', entry('v'))).rejects.toBe(timeout);
    await expect(store.read('k')).rejects.toBe(timeout);
    await store.write('k', entry('v'));
    expect(inner.entries.size).toBe(1);
  });

  it('failNext(n) fails with the default error, then falls back to the mode', async () => {
    const { store } = chaos();
    store.failWith(new Error('still down')).failNext(1);
    await expect(store.read('k')).rejects.toThrow('chaos: store down');
    await expect(store.read('k')).rejects.toThrow('still down');
  });

  it('hang() keeps calls pending until heal(), which lets them reach the inner store', async () => {
    const { store, inner } = chaos();
    const write = watch(store.hang().write('k', entry('v')));
    const read = store.read('k');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(write()).toBe('pending');
    expect(inner.entries.size).toBe(0);

    store.heal();
    await expect(read).resolves.toEqual(entry('v'));
    expect(write()).toBe('fulfilled');
    await expect(store.read('k')).resolves.toEqual(entry('v'));
  });

  it('delay(ms) holds each call for ms, then lets it through', async () => {
    const { store } = chaos();
    const read = watch(store.delay(30).read('k'));
    await jest.advanceTimersByTimeAsync(29);
    expect(read()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(read()).toBe('fulfilled');
  });

  it('heal() releases delayed calls at once and clears their timers', async () => {
    const { store } = chaos();
    const written = store.delay(1000).write('k', entry('v'));
    expect(jest.getTimerCount()).toBe(1);
    store.heal();
    expect(jest.getTimerCount()).toBe(0);
    await written;
    await expect(store.read('k')).resolves.toEqual(entry('v'));
  });

  it('heal() ends failWith() and failNext()', async () => {
    const { store } = chaos();
    store.failWith().heal();
    await expect(store.read('k')).resolves.toBeUndefined();
    store.failNext(3).heal();
    await expect(store.read('k')).resolves.toBeUndefined();
  });

  it('refuses a delay or a count that is not one', () => {
    const { store } = chaos();
    expect(() => store.delay(-1)).toThrow(RangeError);
    expect(() => store.delay(NaN)).toThrow(RangeError);
    expect(() => store.failNext(1.5)).toThrow(RangeError);
  });

  it('reports calls as a snapshot that callers cannot change', async () => {
    const { store } = chaos();
    const before = store.calls;
    await store.read('k');
    expect(before.read).toBe(0);
    expect(store.calls.read).toBe(1);
  });
});
