import type { CachedOptions } from '../../src/cache/cached-options';
import type { ServiceCache } from '../../src/cache/service-cache';
import { cacheWrite, type CacheWriteConfig } from '../../src/pipeline/cache-write';
import { FakeRemote, memoryCache, probeRig, type ProbeRig } from './support';

const KEY = '"k"';

function setup(
  options: CachedOptions = {},
  overrides: Partial<CacheWriteConfig> = {},
): ProbeRig & { cache: ServiceCache; write: ReturnType<typeof cacheWrite> } {
  const rig = probeRig('Svc.op');
  const cache = overrides.cache ?? memoryCache(rig.clock);
  const write = cacheWrite({
    operation: 'Svc.op',
    options,
    ttl: options.ttl ?? 1_000,
    grace: 0,
    cache,
    probe: rig.probe,
    ...overrides,
  });
  return { ...rig, cache, write };
}

describe('cacheWrite', () => {
  it('writes the value fresh for the TTL, labelled with its operation and tenant, and counts a set', () => {
    const { cache, write, counters } = setup();
    write(KEY, 'v', cache.log.stamp(), 'u1', []);
    expect(cache.local.read(KEY)).toEqual({
      value: 'v',
      freshFor: 1_000,
      keptFor: 1_000,
      operation: 'Svc.op',
      tenant: 'u1',
      tags: [],
    });
    expect(counters.sets).toBe(1);
  });

  it('keeps the entry past its TTL for the grace of the stale windows', () => {
    const { cache, write } = setup({}, { grace: 500 });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(cache.local.read(KEY)).toMatchObject({ freshFor: 1_000, keptFor: 1_500 });
  });

  it('keeps a TTL of 0 fresh forever', () => {
    const { cache, write } = setup({}, { ttl: 0 });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(cache.local.read(KEY)?.freshFor).toBe(Infinity);
  });

  it('returns nothing for the shared tier when there is none', () => {
    const { cache, write } = setup();
    expect(write(KEY, 'v', cache.log.stamp(), '', [])).toBeUndefined();
  });

  it('returns the entry it wrote when there is a shared tier', () => {
    const rig = probeRig();
    const cache = memoryCache(rig.clock, new FakeRemote());
    const { write } = setup({}, { cache, probe: rig.probe });
    expect(write(KEY, 'v', cache.log.stamp(), 'u1', [])).toMatchObject({
      value: 'v',
      freshFor: 1_000,
      tenant: 'u1',
    });
  });

  it('refuses a result cacheIf rejects: nothing written, counted refused', () => {
    const { cache, write, counters } = setup({ cacheIf: (v) => v !== null });
    expect(write(KEY, null, cache.log.stamp(), '', [])).toBeUndefined();
    expect(cache.local.read(KEY)).toBeUndefined();
    expect(counters).toMatchObject({ refused: 1, sets: 0 });
  });

  it('refuses a result when cacheIf throws', () => {
    const cacheIf = (): boolean => {
      throw new Error('cacheIf bug');
    };
    const { cache, write, counters } = setup({ cacheIf });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(cache.local.read(KEY)).toBeUndefined();
    expect(counters.refused).toBe(1);
  });

  it('caches for the TTL that ttl(result) chooses', () => {
    const { cache, write } = setup({ ttl: (v) => (v === null ? 100 : 5_000) });
    write('"a"', null, cache.log.stamp(), '', []);
    write('"b"', 'found', cache.log.stamp(), '', []);
    expect(cache.local.read('"a"')?.freshFor).toBe(100);
    expect(cache.local.read('"b"')?.freshFor).toBe(5_000);
  });

  it.each([
    ['a fraction', 1.5],
    ['a negative number', -1],
    ['NaN', NaN],
  ])('refuses a result when ttl(result) gives %s', (_name, ttl) => {
    const { cache, write, counters } = setup({ ttl: () => ttl });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(cache.local.read(KEY)).toBeUndefined();
    expect(counters.refused).toBe(1);
  });

  it('refuses a result when ttl(result) throws', () => {
    const ttl = (): number => {
      throw new Error('ttl bug');
    };
    const { cache, write, counters } = setup({ ttl });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(counters.refused).toBe(1);
  });

  it('labels the entry with the tags of its arguments and result', () => {
    const tags = (args: unknown[], v: unknown): string[] => [
      `id:${String(args[0])}`,
      `v:${String(v)}`,
    ];
    const { cache, write } = setup({ tags });
    write(KEY, 'x', cache.log.stamp(), '', [7]);
    expect(cache.local.read(KEY)?.tags).toEqual(['id:7', 'v:x']);
  });

  it('refuses a result whose tags are not all strings', () => {
    const { cache, write, counters } = setup({ tags: () => ['ok', 3] as unknown as string[] });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(cache.local.read(KEY)).toBeUndefined();
    expect(counters.refused).toBe(1);
  });

  it('refuses a result when tags throws', () => {
    const tags = (): string[] => {
      throw new Error('tags bug');
    };
    const { cache, write, counters } = setup({ tags });
    write(KEY, 'v', cache.log.stamp(), '', []);
    expect(counters.refused).toBe(1);
  });

  it('does not write back a load its key was invalidated during, nor count it', () => {
    const { cache, write, counters } = setup();
    const stamp = cache.log.stamp();
    cache.dropLocal({ kind: 'key', key: KEY });
    expect(write(KEY, 'old', stamp, '', [])).toBeUndefined();
    expect(cache.local.read(KEY)).toBeUndefined();
    expect(counters).toMatchObject({ sets: 0, refused: 0 });
  });

  it('does not write back a load whose tenant was invalidated during it', () => {
    const { cache, write } = setup();
    const stamp = cache.log.stamp();
    cache.dropLocal({ kind: 'tenant', id: 'u1' });
    write(KEY, 'old', stamp, 'u1', []);
    expect(cache.local.read(KEY)).toBeUndefined();
  });

  it('still writes a load that an invalidation during it did not reach', () => {
    const { cache, write } = setup();
    const stamp = cache.log.stamp();
    cache.dropLocal({ kind: 'key', key: '"other"' });
    write(KEY, 'v', stamp, '', []);
    expect(cache.local.read(KEY)?.value).toBe('v');
  });
});
