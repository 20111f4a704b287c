import { MemoryStore } from '../../src/cache/memory-store';
import { ServiceCache } from '../../src/cache/service-cache';
import { Flight } from '../../src/cache/single-flight';
import { ManualClock } from '../../src/testing/manual-clock';
import { FakeRemote } from '../pipeline/support';

function setup(remote?: FakeRemote) {
  const cache = new ServiceCache(new MemoryStore(10, 1_000, new ManualClock(), () => {}), remote);
  const labels = { operation: 'Repo.get', tags: [] };
  cache.local.write('a', { value: 1, freshFor: 1_000, keptFor: 1_000, tenant: 'u1', ...labels });
  cache.local.write('b', { value: 2, freshFor: 1_000, keptFor: 1_000, tenant: 'u2', ...labels });
  return cache;
}

describe('ServiceCache.dropLocal', () => {
  it('drops the entries it names and answers how many', () => {
    const cache = setup();
    expect(cache.dropLocal({ kind: 'tenant', id: 'u1' })).toBe(1);
    expect(cache.local.has('a')).toBe(false);
    expect(cache.local.has('b')).toBe(true);
  });

  it('drops the loads in flight it reaches', () => {
    const cache = setup();
    const flight = new Flight<unknown>(false, 'Repo.get', 'u1', false, 0, []);
    cache.flights.track('c', flight, new Promise(() => {}), undefined);
    cache.dropLocal({ kind: 'operation', name: 'Repo.get' });
    expect(cache.flights.get('c')).toBeUndefined();
  });

  it('records the invalidation, so a load started before it does not write back', () => {
    const cache = setup();
    const stamp = cache.log.stamp();
    cache.dropLocal({ kind: 'key', key: 'a' });
    expect(cache.log.covers(stamp, 'a', { operation: 'Repo.get', tenant: 'u1', tags: [] })).toBe(
      true,
    );
  });
});

describe('ServiceCache.invalidate', () => {
  it('drops here and in the shared tier, resolving with the count here', async () => {
    const remote = new FakeRemote();
    const cache = setup(remote);
    await expect(cache.invalidate({ kind: 'all' })).resolves.toBe(2);
    expect(remote.invalidations).toEqual([{ kind: 'all' }]);
  });

  it('drops here only without a shared tier', async () => {
    const cache = setup();
    await expect(cache.invalidate({ kind: 'key', key: 'b' })).resolves.toBe(1);
  });
});
