import { FrequencySketch } from '../../src/cache/frequency-sketch';
import { BYTES_SAMPLE, MemoryStore } from '../../src/cache/memory-store';
import { MISS } from '../../src/cache/store';
import { systemClock } from '../../src/clock';
import { ManualClock } from '../../src/testing/manual-clock';

function store(
  max = 10,
  defaultTtl = 1000,
): { s: MemoryStore; clock: ManualClock; evicted: () => number } {
  const clock = new ManualClock();
  let evictions = 0;
  const s = new MemoryStore(max, defaultTtl, clock, () => {
    evictions++;
  });
  return { s, clock, evicted: () => evictions };
}

describe('MemoryStore', () => {
  it('returns the MISS sentinel for a key never set', () => {
    expect(store().s.get('absent')).toBe(MISS);
  });

  it('returns a stored undefined as undefined, not MISS', () => {
    const { s } = store();
    s.set('k', undefined);
    expect(s.get('k')).toBeUndefined();
    expect(s.has('k')).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['0', 0],
    ['empty string', ''],
    ['false', false],
  ])('returns a stored %s as itself', (_, value) => {
    const { s } = store();
    s.set('k', value);
    expect(s.get('k')).toBe(value);
  });

  it('returns MISS once the default TTL has passed, and the value until then', async () => {
    const { s, clock } = store(10, 1000);
    s.set('k', 'v');
    await clock.advance(999);
    expect(s.get('k')).toBe('v');
    await clock.advance(1);
    expect(s.get('k')).toBe(MISS);
  });

  it('applies a per-entry TTL over the default one', async () => {
    const { s, clock } = store(10, 1000);
    s.set('k', 'v', 5000);
    await clock.advance(4000);
    expect(s.get('k')).toBe('v');
    await clock.advance(1001);
    expect(s.get('k')).toBe(MISS);
  });

  it('never expires an entry set with ttl 0', async () => {
    const { s, clock } = store(10, 1000);
    s.set('k', 'v', 0);
    await clock.advance(10 * 365 * 24 * 3_600_000);
    expect(s.get('k')).toBe('v');
  });

  it('evicts the least recently used entry beyond max and reports the eviction', () => {
    const { s, evicted } = store(2);
    s.set('a', 1);
    s.set('b', 2);
    s.set('c', 3);
    expect(s.get('a')).toBe(MISS);
    expect(s.get('b')).toBe(2);
    expect(s.get('c')).toBe(3);
    expect(s.size).toBe(2);
    expect(evicted()).toBe(1);
  });

  it('does not report an eviction when a key is overwritten', () => {
    const { s, evicted } = store(2);
    s.set('a', 1);
    s.set('a', 2);
    expect(s.get('a')).toBe(2);
    expect(evicted()).toBe(0);
  });

  it('get() refreshes LRU order: the entry read survives the next eviction', () => {
    const { s } = store(2);
    s.set('a', 1);
    s.set('b', 2);
    s.get('a');
    s.set('c', 3);
    expect(s.get('a')).toBe(1);
    expect(s.get('b')).toBe(MISS);
  });

  it('has() does not refresh LRU order: the entry checked is still evicted first', () => {
    const { s } = store(2);
    s.set('a', 1);
    s.set('b', 2);
    expect(s.has('a')).toBe(true);
    s.set('c', 3);
    expect(s.get('a')).toBe(MISS);
    expect(s.get('b')).toBe(2);
  });

  it('has() is false for an absent key and for an expired one', async () => {
    const { s, clock } = store(10, 1000);
    expect(s.has('absent')).toBe(false);
    s.set('k', 'v');
    await clock.advance(1001);
    expect(s.has('k')).toBe(false);
  });

  it('delete() removes an entry and says whether it was there', () => {
    const { s } = store();
    s.set('k', 'v');
    expect(s.delete('k')).toBe(true);
    expect(s.delete('k')).toBe(false);
    expect(s.get('k')).toBe(MISS);
  });

  it('clear() empties the store', () => {
    const { s } = store();
    s.set('a', 1);
    s.set('b', 2);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.get('a')).toBe(MISS);
  });

  it('clear() does not report evictions', () => {
    const { s, evicted } = store();
    s.set('a', 1);
    s.clear();
    expect(evicted()).toBe(0);
  });

  it('ttlEntries() counts only entries whose TTL is not 0', () => {
    const { s } = store(10, 1000);
    s.set('default', 1);
    s.set('explicit', 2, 500);
    s.set('forever', 3, 0);
    expect(s.ttlEntries()).toBe(2);
  });

  it('ttlEntries() is 0 when the default TTL is 0 and no entry sets one', () => {
    const { s } = store(10, 0);
    s.set('a', 1);
    s.set('b', 2);
    expect(s.ttlEntries()).toBe(0);
  });

  it('estimateBytes() is 0 for an empty store', () => {
    expect(store().s.estimateBytes()).toBe(0);
  });

  it('estimateBytes() counts 112 B per entry, 2 B per key char and 16 + 2 B per string char', () => {
    const { s } = store();
    s.set('key', 'abcd');
    expect(s.estimateBytes()).toBe(112 + 2 * 3 + 16 + 2 * 4);
  });

  it('estimateBytes() counts 8 B for a number, a boolean and null', () => {
    const { s } = store();
    s.set('a', 42);
    s.set('b', true);
    s.set('c', null);
    expect(s.estimateBytes()).toBe(3 * (112 + 2 + 8));
  });

  it('estimateBytes() counts 32 B per object plus 8 B per member and the members themselves', () => {
    const { s } = store();
    s.set('k', { a: 1, b: [2, 'x'] });
    // object 32 + (8 + 8) + (8 + array 32 + (8 + 8) + (8 + 16 + 2))
    expect(s.estimateBytes()).toBe(112 + 2 + 32 + 16 + 8 + 32 + 16 + 8 + 18);
  });

  it('estimateBytes() grows with the size of a value', () => {
    const small = store();
    small.s.set('k', 'x');
    const large = store();
    large.s.set('k', 'x'.repeat(1000));
    expect(large.s.estimateBytes() - small.s.estimateBytes()).toBe(2 * 999);
  });

  it('estimateBytes() terminates on a value that contains itself', () => {
    const { s } = store();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    s.set('k', cyclic);
    // 8 nested levels of (32 + 8), then 8 B for the reference cut off at depth 8.
    expect(s.estimateBytes()).toBe(112 + 2 + 8 * 40 + 8);
  });

  describe('sampledBytes() (what a metrics scrape reads)', () => {
    /** Values of uneven sizes: strings of 0 to 199 characters, from a fixed-seed sequence. */
    const filled = (n: number, maxBytes?: number): MemoryStore => {
      const s = new MemoryStore(n, 0, systemClock, () => {}, maxBytes);
      let seed = 7;
      for (let i = 0; i < n; i++) {
        seed = (seed * 48_271) % 2_147_483_647;
        s.set(`item:${i}`, 'x'.repeat(seed % 200));
      }
      return s;
    };

    it('is the exact walk for a store no larger than the sample', () => {
      const s = filled(BYTES_SAMPLE);
      expect(s.sampledBytes()).toBe(s.estimateBytes());
    });

    it('is the exact charged sum with a byte bound, however large the store', () => {
      const s = filled(20_000, 1e9);
      expect(s.sampledBytes()).toBe(s.estimateBytes());
    });

    it('stays within 5 % of the walk over 20,000 entries of uneven sizes', () => {
      const s = filled(20_000);
      expect(Math.abs(s.sampledBytes() / s.estimateBytes() - 1)).toBeLessThan(0.05);
    });

    it('stays close after most entries were deleted (their slots read as holes)', () => {
      const s = filled(20_000);
      for (let i = 0; i < 20_000; i++) if (i % 4 !== 0) s.delete(`item:${i}`);
      expect(s.size).toBe(5_000);
      expect(Math.abs(s.sampledBytes() / s.estimateBytes() - 1)).toBeLessThan(0.1);
    });

    it('walks the entries when every sampled slot is a hole', () => {
      const s = filled(20_000);
      // Keep 2,000 entries whose slots fall between the sampled ones (the step is 20,000 / 1,024).
      const sampled = new Set(
        Array.from({ length: BYTES_SAMPLE }, (_, i) => Math.floor((i * 20_000) / BYTES_SAMPLE)),
      );
      let kept = 0;
      for (let i = 0; i < 20_000; i++) {
        if (sampled.has(i) || kept === 2_000) s.delete(`item:${i}`);
        else kept++;
      }
      expect(s.size).toBe(2_000);
      expect(s.sampledBytes()).toBe(s.estimateBytes());
    });
  });

  it('size counts live entries', () => {
    const { s } = store();
    s.set('a', 1);
    s.set('b', undefined);
    expect(s.size).toBe(2);
  });
});

describe('MemoryStore on the system clock', () => {
  it('expires an entry on time even while the event loop is busy (no cached clock reading)', () => {
    const s = new MemoryStore(10, 1000, systemClock, () => {});
    s.set('k', 'v', 10);
    expect(s.get('k')).toBe('v');
    // A synchronous stall: no timer can run, so a clock reading cached behind one would go stale.
    const start = performance.now();
    while (performance.now() - start < 30);
    expect(s.get('k')).toBe(MISS);
  });
});

describe('MemoryStore with hostile values', () => {
  it('stores and returns a revoked Proxy without touching it (no trap, no TypeError)', () => {
    const { s } = store();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    s.set('k', proxy);
    expect(s.get('k')).toBe(proxy);
    expect(s.has('k')).toBe(true);
    expect(() => s.estimateBytes()).not.toThrow();
  });

  it("never runs a cached Proxy's getPrototypeOf trap on lookup", () => {
    const { s } = store();
    const trap = jest.fn(() => Object.prototype);
    const proxy = new Proxy({}, { getPrototypeOf: trap });
    s.write('k', {
      value: proxy,
      freshFor: 1000,
      keptFor: 1500,
      operation: '',
      tenant: '',
      tags: [],
    });
    s.set('j', proxy);
    expect(s.get('k')).toBe(proxy);
    expect(s.get('j')).toBe(proxy);
    expect(trap).not.toHaveBeenCalled();
  });
});

describe('MemoryStore bounded by bytes', () => {
  it('evicts the least recently used entries to stay under maxBytes, and reports the exact sum', () => {
    const clock = new ManualClock();
    const evicted: string[] = [];
    const s = new MemoryStore(100, 0, clock, (key) => evicted.push(key), 1_000);
    const text = 'x'.repeat(150); // ~112 + 2 + 16 + 300 = 430 B charged per entry
    s.set('a', text);
    s.set('b', text);
    expect(s.estimateBytes()).toBe(2 * (112 + 2 + 16 + 300));
    s.set('c', text);
    expect(evicted).toEqual(['a']);
    expect(s.get('a')).toBe(MISS);
    expect(s.get('c')).toBe(text);
    expect(s.estimateBytes()).toBeLessThanOrEqual(1_000);
  });

  it('does not store an entry larger than the whole bound', () => {
    const s = new MemoryStore(100, 0, new ManualClock(), () => {}, 1_000);
    s.set('big', 'y'.repeat(1_000));
    expect(s.get('big')).toBe(MISS);
    expect(s.size).toBe(0);
  });

  describe('refreshDue (XFetch)', () => {
    const entry = (delta?: number) => ({
      value: 'v',
      freshFor: 1_000,
      keptFor: 1_000,
      operation: 'op',
      tenant: '',
      tags: [],
      delta,
    });

    it('is due once now - delta * beta * ln(random) reaches the expiry', async () => {
      const { s, clock } = store();
      s.write('k', entry(100)); // expires at 1,000
      const draw = Math.exp(-2); // ln = -2: due from 1,000 - 100 * 2 * beta on
      await clock.advance(799);
      expect(s.refreshDue('k', 1, draw)).toBe(false);
      await clock.advance(1);
      expect(s.refreshDue('k', 1, draw)).toBe(true);
      expect(s.refreshDue('k', 0.5, draw)).toBe(false);
    });

    it('is never due for an entry without a load time, one that never expires, or a missing key', async () => {
      const { s, clock } = store();
      s.write('plain', entry());
      s.write('timed', entry(100));
      s.set('forever', 'v', 0);
      await clock.advance(999);
      expect(s.refreshDue('plain', 1, Math.exp(-50))).toBe(false);
      expect(s.refreshDue('forever', 1, Math.exp(-50))).toBe(false);
      expect(s.refreshDue('absent', 1, Math.exp(-50))).toBe(false);
      expect(s.refreshDue('timed', 1, Math.exp(-50))).toBe(true);
    });

    it('forgets a load time when the key is written again without one', async () => {
      const { s, clock } = store();
      s.write('k', entry(100));
      s.write('k', entry());
      await clock.advance(999);
      expect(s.refreshDue('k', 1, Math.exp(-50))).toBe(false);
    });

    it('reserves 8 B more per slot once an entry with a load time is written', () => {
      const { s } = store(10);
      expect(s.reservedBytes).toBe(10 * 32);
      s.write('a', entry());
      expect(s.reservedBytes).toBe(10 * 32);
      s.write('b', entry(5));
      expect(s.reservedBytes).toBe(10 * 40);
    });

    it("keeps a timed entry's shared-tier version, and 8 B more per slot once one is written", () => {
      const { s } = store(10);
      s.write('untimed', { ...entry(), version: 7 });
      expect(s.read('untimed')).not.toHaveProperty('version');
      expect(s.reservedBytes).toBe(10 * 32);
      s.write('timed', { ...entry(5), version: 1_733_225_000_123_456 });
      expect(s.read('timed')?.version).toBe(1_733_225_000_123_456);
      expect(s.reservedBytes).toBe(10 * 48);
      s.write('timed', entry(5));
      expect(s.read('timed')).not.toHaveProperty('version');
    });
  });

  describe("'tinylfu' admission", () => {
    const tinylfu = (max: number) => {
      const clock = new ManualClock();
      return new MemoryStore(
        max,
        0,
        clock,
        () => {},
        undefined,
        Infinity,
        new FrequencySketch(max),
      );
    };
    const lookup = (s: MemoryStore, key: string): boolean => s.get(key) !== MISS;

    it('keeps a hot set through a scan of one-off keys that would flush an LRU', () => {
      const hot = Array.from({ length: 50 }, (_, i) => `hot-${i}`);
      const run = (s: MemoryStore): number => {
        for (let round = 0; round < 5; round++) {
          for (const key of hot) if (!lookup(s, key)) s.set(key, key);
        }
        for (let i = 0; i < 500; i++) if (!lookup(s, `scan-${i}`)) s.set(`scan-${i}`, i);
        return hot.filter((key) => lookup(s, key)).length;
      };
      // Collisions in the sketch may cost a few; an LRU loses them all.
      expect(run(tinylfu(100))).toBeGreaterThanOrEqual(45);
      expect(run(store(100, 0).s)).toBe(0);
    });

    it('admits a new key asked for more often than the least recent entry', () => {
      const s = tinylfu(2);
      s.set('a', 1);
      s.set('b', 2);
      // 'c' was missed three times: more than 'a' (the least recent, never looked up).
      for (let i = 0; i < 3; i++) lookup(s, 'c');
      s.set('c', 3);
      expect([lookup(s, 'a'), lookup(s, 'c')]).toEqual([false, true]);
      // 'd', never asked for, does not push out 'b' (asked for once, just above).
      s.set('d', 4);
      expect(lookup(s, 'd')).toBe(false);
    });

    it('stores every new key while there is room, and updates an existing key always', () => {
      const s = tinylfu(3);
      s.set('a', 1);
      s.set('b', 2);
      s.set('a', 10);
      expect([s.get('a'), s.get('b')]).toEqual([10, 2]);
    });

    it('reports the bytes of its sketch and key hashes', () => {
      expect(tinylfu(1_000).admissionBytes).toBe(4 * 2_048 + 4 * 1_000);
      expect(store(1_000).s.admissionBytes).toBe(0);
    });
  });
});
