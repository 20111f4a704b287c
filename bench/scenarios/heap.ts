import { LRUCache } from 'lru-cache';
import { container } from 'tsyringe';
import { ExecutionUtils, runWithContext } from '../../src';
import { collectGarbage, find, percentile, withRatios } from '../harness';
import type { Esm } from '../esm';
import { ratio, target, type Kind, type Row } from '../model';
import { boundedCacheManager } from '../peers';
import { registerUtils, Svc } from '../services';
import { CTX, makeResult, OP, Q, QUERY, T, TTL_MS, U, type Result } from '../workload';
import type { Scenario } from './scenario';

const ENTRIES = 100_000;
const OURS = 'ours: filled by 100k decorated calls';
const RAW = 'raw lru-cache, same key text and values';
const OURS_BOOKKEEPING = 'ours: addToCache, bookkeeping only (the harness holds keys and values)';
const RAW_BOOKKEEPING = 'raw lru-cache, bookkeeping only (the harness holds keys and values)';

const keys = new ExecutionUtils();
/** The key our decorated call with `n` builds (checked against our cache below). */
const keyOf = (n: number): string => keys.generateCacheKey(OP, U, T, [U, T, Q, n, QUERY]);
const valueOf = (n: number): Result => makeResult(U, Q, n, QUERY);
/**
 * The same key text as a flat string: `generateCacheKey` returns a rope (a tree of concatenated
 * pieces, several hundred bytes per key on V8), which a cache of JSON or hand-built keys would
 * not hold. A Buffer round trip makes a fresh sequential string.
 */
const flatKeyOf = (n: number): string => Buffer.from(keyOf(n)).toString();

/** Keys and values made before the heap is first read, so they are not counted. */
interface Data {
  readonly keys: string[];
  readonly values: Result[];
}

function prepareData(entries: number): Data {
  const keys: string[] = [];
  const values: Result[] = [];
  for (let n = 0; n < entries; n++) {
    keys.push(flatKeyOf(n));
    values.push(valueOf(n));
  }
  return { keys, values };
}

interface Filler {
  name: string;
  kind: Kind;
  /**
   * Builds what the harness keeps alive itself, before the first heap reading: the cache's keys
   * and values, for a row that measures only the cache's own bookkeeping.
   */
  prepare?(entries: number): Data;
  /** Builds a cache of `entries` entries (from `data` if prepared) and returns what holds it. */
  fill(
    entries: number,
    data: Data | undefined,
  ): Promise<{ holder: unknown; check?: () => string | undefined; dispose?: () => unknown }>;
}

/** G: heap bytes per cache entry at 100,000 entries. */
export const heap: Scenario = {
  id: 'G',
  title: 'heap per entry, 100,000 entries',
  async run({ esm, budget }) {
    const problems: string[] = [];
    const all = fillers(esm);
    const heaps = all.map((): number[] => []);
    const externals = all.map((): number[] => []);
    // Repetitions go round all fillers, so each filler's runs are spread over the scenario.
    for (let rep = 0; rep < budget.heapReps; rep++) {
      for (const [i, filler] of all.entries()) {
        const { heapPerEntry, externalPerEntry, problem } = await measureFiller(filler);
        if (problem) problems.push(`G / ${filler.name}: ${problem}`);
        heaps[i].push(heapPerEntry);
        externals[i].push(externalPerEntry);
      }
    }
    const median = (xs: number[]): number =>
      percentile(
        [...xs].sort((a, b) => a - b),
        0.5,
      );
    const rows = all.map((filler, i): Row => {
      const heap = median(heaps[i]);
      const range =
        heaps[i].length > 1 ? `, runs ${heaps[i].map((h) => h.toFixed(0)).join('/')}` : '';
      return {
        scenario: 'G',
        name: filler.name,
        kind: filler.kind,
        metric: heap,
        value: `${heap.toFixed(0)} B/entry heap (+${median(externals[i]).toFixed(0)} B external${range})`,
      };
    });
    return {
      rows: withRatios(rows),
      targets: [
        target(
          'G',
          'ours / raw lru-cache (heap per entry)',
          ratio(find(rows, OURS), find(rows, RAW)),
          '<=',
          1.5,
        ),
        target(
          'G',
          'ours / raw lru-cache (bookkeeping per entry, above keys and values)',
          ratio(find(rows, OURS_BOOKKEEPING), find(rows, RAW_BOOKKEEPING)),
          '<=',
          2,
        ),
      ],
      problems,
      notes: [
        `G: heapUsed delta after global.gc(), divided by 100,000, median of ${budget.heapReps} run(s); ` +
          'lru-cache keeps its index and TTL arrays in typed arrays (external memory, in brackets).',
        'G: ours is filled through decorated calls with distinct args (n = 0..99,999). The raw ' +
          'lru-caches, bentocache and cache-manager hold the same key text (what generateCacheKey ' +
          'returns for those calls) as flat strings, and equal values; one more raw lru-cache holds ' +
          'the very strings generateCacheKey returns, which are V8 ropes (cons strings).',
      ],
    };
  },
};

/**
 * Heap growth per entry of one cache. In its own function, so that nothing but the cache being
 * measured (not a previous one still held in a register) is alive at either reading.
 */
async function measureFiller(filler: Filler) {
  // Compiles the code path first, so code is not counted.
  const warm = await filler.fill(2_000, filler.prepare?.(2_000));
  await warm.dispose?.();
  const data = filler.prepare?.(ENTRIES);
  await collectGarbage();
  const m0 = process.memoryUsage();
  const built = await filler.fill(ENTRIES, data);
  await collectGarbage();
  const m1 = process.memoryUsage();
  const problem = built.check?.();
  await built.dispose?.();
  // Kept alive to the second reading: its bytes are the harness's, in both readings.
  if (data && data.keys.length !== ENTRIES) throw new Error('data lost');
  return {
    heapPerEntry: (m1.heapUsed - m0.heapUsed) / ENTRIES,
    externalPerEntry: (m1.external - m0.external) / ENTRIES,
    problem,
  };
}

function fillers(esm: Esm): Filler[] {
  return [
    {
      name: RAW_BOOKKEEPING,
      kind: 'baseline',
      prepare: prepareData,
      async fill(entries, data) {
        const lru = new LRUCache<string, Result>({ max: entries });
        for (let n = 0; n < entries; n++) lru.set(data!.keys[n], data!.values[n]);
        return { holder: lru };
      },
    },
    {
      name: OURS_BOOKKEEPING,
      kind: 'ours',
      prepare: prepareData,
      async fill(entries, data) {
        const utils = new ExecutionUtils({ cacheSize: entries });
        for (let n = 0; n < entries; n++) utils.addToCache(data!.keys[n], data!.values[n]);
        return {
          holder: utils,
          check: () => {
            const size = utils.getMemoryStats().cacheSize;
            return size === entries ? undefined : `holds ${size}`;
          },
        };
      },
    },
    {
      name: RAW,
      kind: 'baseline',
      async fill(entries) {
        const lru = new LRUCache<string, Result>({ max: entries });
        for (let n = 0; n < entries; n++) lru.set(flatKeyOf(n), valueOf(n));
        return {
          holder: lru,
          check: () => (lru.size === entries ? undefined : `holds ${lru.size}`),
        };
      },
    },
    {
      name: 'raw lru-cache with ttl, same key text and values',
      kind: 'baseline',
      async fill(entries) {
        const lru = new LRUCache<string, Result>({ max: entries, ttl: TTL_MS });
        for (let n = 0; n < entries; n++) lru.set(flatKeyOf(n), valueOf(n));
        return { holder: lru };
      },
    },
    {
      name: 'raw lru-cache holding the very strings generateCacheKey returns',
      kind: 'baseline',
      async fill(entries) {
        const lru = new LRUCache<string, Result>({ max: entries });
        for (let n = 0; n < entries; n++) lru.set(keyOf(n), valueOf(n));
        return { holder: lru };
      },
    },
    {
      name: OURS,
      kind: 'ours',
      async fill(entries) {
        const utils = registerUtils({ cacheSize: entries });
        const svc = container.resolve(Svc);
        await runWithContext(CTX, async () => {
          for (let base = 0; base < entries; base += 1000) {
            const batch: Promise<Result>[] = [];
            for (let n = base; n < Math.min(entries, base + 1000); n++)
              batch.push(svc.get(U, T, Q, n, QUERY));
            await Promise.all(batch);
          }
        });
        return {
          holder: utils,
          // Lets this service go. One call on the next service is needed too: until the method's
          // pipeline is recompiled for it, V8's optimised code keeps the old pipeline alive.
          dispose: async () => {
            registerUtils({ cacheSize: 10 });
            await runWithContext(CTX, () => container.resolve(Svc).get(U, T, Q, 0, QUERY));
          },
          check: () => {
            const size = utils.getMemoryStats().cacheSize;
            if (size !== entries) return `holds ${size}`;
            // The raw caches use these key strings: check they are the ones our calls made.
            return utils.getFromCache(keyOf(entries - 1))
              ? undefined
              : 'generateCacheKey does not find our entries';
          },
        };
      },
    },
    {
      name: 'bentocache (memory, serialize: false) set',
      kind: 'peer',
      async fill(entries) {
        const bento = new esm.BentoCache({
          default: 'memory',
          stores: {
            memory: esm
              .bentostore()
              .useL1Layer(esm.memoryDriver({ maxItems: entries, serialize: false })),
          },
        });
        for (let n = 0; n < entries; n++)
          await bento.set({ key: flatKeyOf(n), value: valueOf(n), ttl: TTL_MS });
        return { holder: bento, dispose: () => bento.disconnect() };
      },
    },
    {
      name: 'cache-manager 7 set (Keyv + lru-cache)',
      kind: 'peer',
      async fill(entries) {
        const cache = boundedCacheManager(entries);
        for (let n = 0; n < entries; n++) await cache.set(flatKeyOf(n), valueOf(n));
        return { holder: cache, dispose: () => cache.disconnect() };
      },
    },
  ];
}
