import { ExecutionUtils, type CachedOptions } from '../../src';
import { ManualClock } from '../../src/testing';
import { target, type Row, type Target } from '../model';
import { prng } from '../traces';
import { freshnessAcrossProcesses, round2 } from './freshness-processes';
import type { Scenario } from './scenario';

/** The hot key: 1,000 requests/s, TTL 10 s, a load of 200 ms. */
const TTL_MS = 10_000;
const LOAD_MS = 200;
const REQUESTS_PER_MS = 1;

/** What a run of one policy on the hot key saw. */
export interface Freshness {
  /** Requests after the first load that waited for a load (their result came at a later time). */
  readonly waited: number;
  /** Results served after their value's TTL had run out. */
  readonly stale: number;
  /** Loads after the first, per TTL period of the run. */
  readonly loadsPerPeriod: number;
  readonly requests: number;
}

/** A value and the clock time its load ended: it is fresh for TTL_MS from then. */
interface Loaded {
  readonly loadedAt: number;
}

/**
 * One simulated hot key: a request every millisecond of the manual clock for `durationMs`, each
 * through `@Cached` with `cache` on a service whose `random` is seeded.
 */
export async function simulateHotKey(
  cache: Omit<CachedOptions, 'ttl'>,
  durationMs: number,
): Promise<Freshness> {
  const clock = new ManualClock();
  const utils = new ExecutionUtils({ clock, random: prng(11) });
  let loads = 0;
  const get = utils.wrap(
    async (): Promise<Loaded> => {
      loads++;
      await new Promise<void>((resolve) => clock.setTimer(resolve, LOAD_MS));
      return { loadedAt: clock.now() };
    },
    { name: 'Hot.get', cache: { ...cache, ttl: TTL_MS } },
  );
  const start = clock.now();
  const warm = start + LOAD_MS;
  let waited = 0;
  let stale = 0;
  let requests = 0;
  for (let t = 0; t < durationMs; t++) {
    for (let r = 0; r < REQUESTS_PER_MS; r++) {
      const issued = clock.now();
      requests++;
      void get().then((value) => {
        if (issued > warm && clock.now() > issued) waited++;
        if (clock.now() >= value.loadedAt + TTL_MS) stale++;
      });
    }
    await clock.advance(1);
  }
  await clock.advance(LOAD_MS);
  await utils.close();
  return { waited, stale, loadsPerPeriod: round2((loads - 1) / (durationMs / TTL_MS)), requests };
}

const POLICIES: [string, Omit<CachedOptions, 'ttl'>][] = [
  ['plain TTL', {}],
  ['staleWhileRevalidate: 10 s', { staleWhileRevalidate: TTL_MS }],
  ['refreshAhead, beta 1', { refreshAhead: true }],
  ['refreshAhead, beta 2', { refreshAhead: { beta: 2 } }],
];

/**
 * M: freshness of one hot key at expiry. Simulated (a manual clock, no sleeping): 1,000
 * requests/s for 10 minutes, TTL 10 s, a 200 ms load, for plain TTL, staleWhileRevalidate and
 * refreshAhead (beta 1 and 2); then three real processes on one Redis, in real time.
 */
export const freshness: Scenario = {
  id: 'M',
  title: 'freshness of a hot key at expiry: plain TTL, staleWhileRevalidate, refreshAhead',
  async run({ budget }) {
    const durationMs = budget.mode === 'quick' ? 120_000 : 600_000;
    const rows: Row[] = [];
    const targets: Target[] = [];
    for (const [name, cache] of POLICIES) {
      const seen = await simulateHotKey(cache, durationMs);
      rows.push({
        scenario: 'M',
        name: `simulated, ${name}`,
        kind: 'ours',
        value:
          `${seen.waited.toLocaleString('en-US')} waited, ${seen.stale.toLocaleString('en-US')} stale, ` +
          `${seen.loadsPerPeriod.toFixed(2)} loads per TTL period`,
        metric: seen.loadsPerPeriod,
      });
      if (name.startsWith('refreshAhead')) {
        targets.push(
          target('M', `${name}: callers that waited`, seen.waited, '==', 0, ''),
          target('M', `${name}: stale results`, seen.stale, '==', 0, ''),
          target('M', `${name}: loads per TTL period`, seen.loadsPerPeriod, '<=', 1.2, ''),
        );
      }
    }
    const across = await freshnessAcrossProcesses(budget);
    return {
      rows: [...rows, ...across.rows],
      targets: [...targets, ...across.targets],
      problems: across.problems,
      notes: [
        `M: simulated ${(durationMs / 60_000).toFixed(0)} min at 1,000 requests/s, TTL 10 s, ` +
          'load 200 ms, seeded random; "waited" counts requests after the first load whose result ' +
          'came later than they asked, "stale" results served past their TTL.',
        ...across.notes,
      ],
    };
  },
};
