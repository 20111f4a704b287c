import { LRUCache } from 'lru-cache';
import { FrequencySketch } from '../../src/cache/frequency-sketch';
import { MemoryStore } from '../../src/cache/memory-store';
import { MISS } from '../../src/cache/store';
import { systemClock } from '../../src/clock';
import { ExecutionUtils } from '../../src';
import { find, measureCases } from '../harness';
import { ratio, target, type Row, type Target } from '../model';
import { loopTrace, zipfTrace } from '../traces';
import type { Scenario } from './scenario';

const SEED = 7;

interface Lookup {
  get(key: string): boolean;
  set(key: string): void;
}

function ratioOf(cache: Lookup, trace: Iterable<string>): number {
  let hits = 0;
  let lookups = 0;
  for (const key of trace) {
    lookups++;
    if (cache.get(key)) hits++;
    else cache.set(key);
  }
  return hits / lookups;
}

const storeOf = (size: number, tinylfu: boolean): MemoryStore =>
  new MemoryStore(
    size,
    0,
    systemClock,
    () => {},
    undefined,
    Infinity,
    tinylfu ? new FrequencySketch(size) : undefined,
  );
const ours = (size: number, tinylfu: boolean): Lookup => {
  const store = storeOf(size, tinylfu);
  return { get: (key) => store.get(key) !== MISS, set: (key) => store.set(key, 1) };
};
const lruCache = (size: number): Lookup => {
  const cache = new LRUCache<string, number>({ max: size });
  return { get: (key) => cache.get(key) !== undefined, set: (key) => void cache.set(key, 1) };
};

/**
 * L: hit ratio of the in-process tier's admission policies on fixed-seed traces (Zipf 0.8 and
 * 1.0 over 1,000,000 keys, with and without scans of 50,000 one-off keys every 100,000
 * requests, and a loop over 1.5x the cache), for caches of 1,000, 10,000 and 100,000 entries: lru-cache
 * alone, ours with 'lru', ours with 'tinylfu'. No time passes: these rows are ratios, not timings.
 */
export const hitRatio: Scenario = {
  id: 'L',
  title: "hit ratio: lru-cache, 'lru' and 'tinylfu' admission on Zipf, scan and loop traces",
  async run({ esm, budget }) {
    const requests = budget.mode === 'quick' ? 200_000 : 1_000_000;
    const rows: Row[] = [];
    const targets: Target[] = [];
    const percent = (r: number): string => `${(r * 100).toFixed(1)} % hits`;
    for (const size of [1_000, 10_000, 100_000]) {
      // The 1.25x is for the small caches; at 100,000 the sketch must only not lose.
      const zipf08 = size <= 10_000 ? 1.25 : 1;
      const traces: [string, () => Iterable<string>, number][] = [
        ['Zipf 0.8', () => zipfTrace(1_000_000, 0.8, requests, 0, 0, SEED), zipf08],
        [
          'Zipf 0.8 + scans',
          () => zipfTrace(1_000_000, 0.8, requests, 100_000, 50_000, SEED),
          zipf08,
        ],
        ['Zipf 1.0', () => zipfTrace(1_000_000, 1.0, requests, 0, 0, SEED), 1],
        ['Zipf 1.0 + scans', () => zipfTrace(1_000_000, 1.0, requests, 100_000, 50_000, SEED), 1],
        ['loop 1.5x', () => loopTrace(Math.floor(size * 1.5), size * 60), 0],
      ];
      for (const [name, trace, minRatio] of traces) {
        const raw = ratioOf(lruCache(size), trace());
        const lru = ratioOf(ours(size, false), trace());
        const tiny = ratioOf(ours(size, true), trace());
        const at = `${name}, ${size.toLocaleString('en-US')} entries`;
        rows.push(
          {
            scenario: 'L',
            name: `${at}: lru-cache`,
            kind: 'baseline',
            value: percent(raw),
            metric: raw,
          },
          {
            scenario: 'L',
            name: `${at}: ours 'lru'`,
            kind: 'ours',
            value: percent(lru),
            metric: lru,
          },
          {
            scenario: 'L',
            name: `${at}: ours 'tinylfu'`,
            kind: 'ours',
            value: percent(tiny),
            metric: tiny,
          },
        );
        if (minRatio > 0) {
          targets.push(target('L', `${at}: tinylfu / lru hit ratio`, tiny / lru, '>=', minRatio));
        } else {
          targets.push(
            target(
              'L',
              `${at}: tinylfu - lru, points`,
              Math.round((tiny - lru) * 1_000) / 10,
              '>=',
              50,
              '',
            ),
          );
        }
      }
    }
    const problems: string[] = [];
    const costs = await measureCases(esm, 'L', await costCases(), budget, undefined, problems);
    const per = (row: string): number | undefined => find(costs, row);
    targets.push(
      target(
        'L',
        "decorated hit: 'tinylfu' / 'lru'",
        ratio(per(DECORATED.tinylfu), per(DECORATED.lru)),
        '<=',
        1.1,
      ),
      target('L', "store hit: 'tinylfu' / 'lru'", ratio(per(HIT.tinylfu), per(HIT.lru)), '<=', 1.1),
      target(
        'L',
        "store miss + write: 'tinylfu' / 'lru'",
        ratio(per(MISS_WRITE.tinylfu), per(MISS_WRITE.lru)),
        '<=',
        1.2,
      ),
    );
    for (const tinylfu of [false, true]) {
      const store = storeOf(COST_KEYS, tinylfu);
      const bytes = (store.reservedBytes + store.admissionBytes) / COST_KEYS;
      rows.push({
        scenario: 'L',
        name: `ours '${tinylfu ? 'tinylfu' : 'lru'}': bytes per slot reserved up front (typed arrays and sketch)`,
        kind: 'ours',
        value: `${bytes.toFixed(0)} B/slot`,
        metric: bytes,
      });
    }
    return {
      rows: [...rows, ...costs],
      targets,
      problems,
      notes: [
        `L: ${requests.toLocaleString('en-US')} requests per Zipf trace, seed 7.`,
        `L costs: at the store, ${COST_KEYS.toLocaleString('en-US')} slots; a hit cycles through ` +
          'cached keys; a miss + write asks for a key never seen and writes it (with a full ' +
          "cache, 'tinylfu' usually refuses it, 'lru' evicts).",
      ],
    };
  },
};

const COST_KEYS = 10_000;
const HIT = { lru: "store hit: ours 'lru'", tinylfu: "store hit: ours 'tinylfu'" };
const DECORATED = {
  lru: "decorated hit (utils.wrap, 10,000 cached ids): 'lru' service",
  tinylfu: "decorated hit (utils.wrap, 10,000 cached ids): 'tinylfu' service",
};
const MISS_WRITE = {
  lru: "store miss + write: ours 'lru'",
  tinylfu: "store miss + write: ours 'tinylfu'",
};

/** A hit and a miss + write of each policy, on full stores of keys shaped like the bench's. */
async function costCases() {
  const keyOf = (n: number): string => `Svc.get:user-1:task-1:[${n}]`;
  const keys = Array.from({ length: COST_KEYS }, (_, n) => keyOf(n));
  // Never cached (at most once in 20 cache sizes: 'lru' has long evicted them when they recur).
  const fresh = Array.from({ length: 20 * COST_KEYS }, (_, n) => keyOf(COST_KEYS + n));
  const cases = [false, true].map(async (tinylfu) => {
    const name = tinylfu ? 'tinylfu' : 'lru';
    const hits = storeOf(COST_KEYS, tinylfu);
    const misses = storeOf(COST_KEYS, tinylfu);
    for (const key of keys) {
      hits.set(key, 1);
      misses.set(key, 1);
    }
    let h = 0;
    let m = 0;
    let found = 0;
    const utils = new ExecutionUtils({
      cacheSize: COST_KEYS,
      cacheAdmission: tinylfu ? 'tinylfu' : 'lru',
    });
    let loads = 0;
    const get = utils.wrap(async (id: number) => ++loads + id, {
      name: 'Svc.get',
      cache: { ttl: 0 },
    });
    for (let id = 0; id < COST_KEYS; id++) await get(id);
    let d = 0;
    return [
      {
        name: DECORATED[name],
        kind: 'ours' as const,
        fn: async () => void (await get(d++ % COST_KEYS)),
        verify: () => (loads === COST_KEYS ? undefined : `${loads} loads, not ${COST_KEYS}`),
      },
      {
        name: HIT[name],
        kind: 'ours' as const,
        fn: () => {
          if (hits.get(keys[h++ % COST_KEYS]) !== MISS) found++;
        },
        verify: () => (found === 0 ? 'no hit' : undefined),
      },
      {
        name: MISS_WRITE[name],
        kind: 'ours' as const,
        fn: () => {
          const key = fresh[m++ % fresh.length];
          if (misses.get(key) === MISS) misses.set(key, 1);
        },
      },
    ];
  });
  return (await Promise.all(cases)).flat();
}
