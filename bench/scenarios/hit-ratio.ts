import { LRUCache } from 'lru-cache';
import { FrequencySketch } from '../../src/cache/frequency-sketch';
import { MemoryStore } from '../../src/cache/memory-store';
import { MISS } from '../../src/cache/store';
import { systemClock } from '../../src/clock';
import { target, type Row, type Target } from '../model';
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
        ['Zipf 0.8', () => zipfTrace(1_000_000, 0.8, requests, 0, 0, SEED), 1.25],
        [
          'Zipf 0.8 + scans',
          () => zipfTrace(1_000_000, 0.8, requests, 100_000, 50_000, SEED),
          1.25,
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
    return {
      rows,
      targets,
      problems: [],
      notes: [`L: ${requests.toLocaleString('en-US')} requests per Zipf trace, seed 7.`],
    };
  },
};
