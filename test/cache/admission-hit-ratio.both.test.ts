import { loopTrace, zipfTrace } from '../../bench/traces';
import { ExecutionUtils } from '../../src';
import { FrequencySketch } from '../../src/cache/frequency-sketch';
import { MemoryStore } from '../../src/cache/memory-store';
import { MISS } from '../../src/cache/store';
import { ManualClock } from '../../src/testing';

// The hit-ratio ordering 'tinylfu' must keep, on small fixed-seed traces (bench scenario L runs the
// large ones): Zipf with and without scans of one-off keys, and a loop larger than the cache.

function hitRatio(store: MemoryStore, trace: Iterable<string>): number {
  let hits = 0;
  let lookups = 0;
  for (const key of trace) {
    lookups++;
    if (store.get(key) !== MISS) hits++;
    else store.set(key, key);
  }
  return hits / lookups;
}

const stores = (max: number) => ({
  lru: new MemoryStore(max, 0, new ManualClock(), () => {}),
  tinylfu: new MemoryStore(
    max,
    0,
    new ManualClock(),
    () => {},
    undefined,
    Infinity,
    new FrequencySketch(max),
  ),
});

const zipf = (requests: number, s: number, scanEvery = 0, scanLength = 0): Iterable<string> =>
  zipfTrace(50_000, s, requests, scanEvery, scanLength, 42);

describe("'tinylfu' admission: hit ratio on fixed-seed traces", () => {
  it('beats LRU by at least 1.25x on Zipf 0.8, with and without scans', () => {
    for (const [every, length] of [
      [0, 0],
      [20_000, 5_000],
    ]) {
      const { lru, tinylfu } = stores(500);
      const plain = hitRatio(lru, zipf(100_000, 0.8, every, length));
      const admitted = hitRatio(tinylfu, zipf(100_000, 0.8, every, length));
      expect(admitted / plain).toBeGreaterThanOrEqual(1.25);
    }
  });

  it('is never below LRU on Zipf 1.0', () => {
    const { lru, tinylfu } = stores(500);
    expect(hitRatio(tinylfu, zipf(100_000, 1.0))).toBeGreaterThanOrEqual(
      hitRatio(lru, zipf(100_000, 1.0)),
    );
  });

  it('hits on a loop 1.5x the cache, where LRU hits never', () => {
    const { lru, tinylfu } = stores(1_000);
    const plain = hitRatio(lru, loopTrace(1_500, 60_000));
    const admitted = hitRatio(tinylfu, loopTrace(1_500, 60_000));
    expect(plain).toBe(0);
    expect(admitted - plain).toBeGreaterThanOrEqual(0.5);
  });

  it('is what the service option cacheAdmission turns on', () => {
    const make = (cacheAdmission: 'lru' | 'tinylfu') => {
      const utils = new ExecutionUtils({
        cacheSize: 100,
        cacheAdmission,
        clock: new ManualClock(),
      });
      const hot = Array.from({ length: 50 }, (_, i) => `hot-${i}`);
      for (let round = 0; round < 5; round++) {
        for (const key of hot)
          if (utils.getFromCache(key) === undefined) utils.addToCache(key, key);
      }
      for (let i = 0; i < 500; i++) {
        if (utils.getFromCache(`scan-${i}`) === undefined) utils.addToCache(`scan-${i}`, i);
      }
      return {
        kept: hot.filter((key) => utils.getFromCache(key) !== undefined).length,
        bytes: utils.getMemoryStats().admissionBytes,
      };
    };
    const lru = make('lru');
    const tinylfu = make('tinylfu');
    expect(lru).toEqual({ kept: 0, bytes: 0 });
    expect(tinylfu.kept).toBeGreaterThanOrEqual(45);
    expect(tinylfu.bytes).toBe(4 * 256 + 4 * 100);
    expect(() => new ExecutionUtils({ cacheAdmission: 'lfu' as 'lru' })).toThrow(/cacheAdmission/);
  });

  it('keeps invalidation, tags and the byte bound working as with lru', async () => {
    const utils = new ExecutionUtils({
      cacheSize: 10,
      cacheAdmission: 'tinylfu',
      cacheMaxBytes: 2_000,
      clock: new ManualClock(),
    });
    const load = utils.wrap(async (id: number) => `v${id}`, {
      name: 'Tags.get',
      cache: { tags: ([id]) => [`t${String(id)}`] },
    });
    await load(1);
    await load(2);
    expect(await utils.invalidateTags(['t1'])).toBe(1);
    expect(await utils.invalidateOperation('Tags.get')).toBe(1);
    for (let i = 0; i < 50; i++) utils.addToCache(`big-${i}`, 'x'.repeat(300));
    expect(utils.getMemoryStats().cacheMemoryBytes).toBeLessThanOrEqual(2_000);
  });
});
