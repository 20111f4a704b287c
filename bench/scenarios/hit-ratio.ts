import { LRUCache } from 'lru-cache';
import { FrequencySketch } from '../../src/cache/frequency-sketch';
import { MemoryStore } from '../../src/cache/memory-store';
import { MISS } from '../../src/cache/store';
import { systemClock } from '../../src/clock';
import { target, type Row, type Target } from '../model';
import type { Scenario } from './scenario';

/** mulberry32: the traces are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(s) over `n` keys, `requests` draws; scans of `scanLength` one-off keys every `scanEvery`. */
function* zipfTrace(
  n: number,
  s: number,
  requests: number,
  scanEvery: number,
  scanLength: number,
): Generator<string> {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  const random = prng(7);
  let oneOff = 0;
  for (let r = 1; r <= requests; r++) {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    yield `k${lo}`;
    if (scanEvery > 0 && r % scanEvery === 0) {
      for (let j = 0; j < scanLength; j++) yield `scan${oneOff++}`;
    }
  }
}

function* loopTrace(size: number, requests: number): Generator<string> {
  const period = Math.floor(size * 1.5);
  for (let r = 0; r < requests; r++) yield `loop${r % period}`;
}

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

const ours = (size: number, tinylfu: boolean): Lookup => {
  const store = new MemoryStore(
    size,
    0,
    systemClock,
    () => {},
    undefined,
    Infinity,
    tinylfu ? new FrequencySketch(size) : undefined,
  );
  return { get: (key) => store.get(key) !== MISS, set: (key) => store.set(key, 1) };
};
const lruCache = (size: number): Lookup => {
  const cache = new LRUCache<string, number>({ max: size });
  return { get: (key) => cache.get(key) !== undefined, set: (key) => void cache.set(key, 1) };
};

/**
 * L: hit ratio of the in-process tier's admission policies on fixed-seed traces (Zipf 0.8 and
 * 1.0 over 1,000,000 keys, with and without scans of 50,000 one-off keys every 100,000
 * requests, and a loop over 1.5x the cache), for caches of 1,000 and 10,000 entries: lru-cache
 * alone, ours with 'lru', ours with 'tinylfu'. No time passes: these rows are ratios, not timings.
 */
export const hitRatio: Scenario = {
  id: 'L',
  title: "hit ratio: lru-cache, 'lru' and 'tinylfu' admission on Zipf, scan and loop traces",
  async run({ budget }) {
    const requests = budget.mode === 'quick' ? 200_000 : 1_000_000;
    const rows: Row[] = [];
    const targets: Target[] = [];
    const percent = (r: number): string => `${(r * 100).toFixed(1)} % hits`;
    for (const size of [1_000, 10_000]) {
      const traces: [string, () => Iterable<string>, number][] = [
        ['Zipf 0.8', () => zipfTrace(1_000_000, 0.8, requests, 0, 0), 1.25],
        ['Zipf 0.8 + scans', () => zipfTrace(1_000_000, 0.8, requests, 100_000, 50_000), 1.25],
        ['Zipf 1.0', () => zipfTrace(1_000_000, 1.0, requests, 0, 0), 1],
        ['Zipf 1.0 + scans', () => zipfTrace(1_000_000, 1.0, requests, 100_000, 50_000), 1],
        ['loop 1.5x', () => loopTrace(size, size * 60), 0],
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
    return {
      rows,
      targets,
      problems: [],
      notes: [`L: ${requests.toLocaleString('en-US')} requests per Zipf trace, seed 7.`],
    };
  },
};
