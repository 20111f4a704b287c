import { performance } from 'node:perf_hooks';
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import { ExecutionUtils } from '../../src';
import { find, measureCases, percentile, type Case } from '../harness';
import { ratio, target, type Row } from '../model';
import type { Scenario } from './scenario';

const BATCH = 100;
const OURS = `ours: @CachedBatch all-hit batch of ${BATCH} ids (wrapBatch)`;
const LOADER = `DataLoader loadMany, ${BATCH} ids, all cached (lru-cache cacheMap)`;
const SINGLE = "ours: one @Cached hit (wrap, tenant 'shared'), for the per-item ratio";

/** A backend on one connection: each round trip waits for the one before, and takes 1 ms. */
function oneConnectionBackend(): { roundTrip: () => Promise<void>; trips: () => number } {
  let last = Promise.resolve();
  let trips = 0;
  return {
    roundTrip: () => {
      trips++;
      const next = last.then(() => new Promise<void>((resolve) => setTimeout(resolve, 1)));
      last = next;
      return next;
    },
    trips: () => trips,
  };
}

/**
 * K: batched calls. The cost per item of an all-hit batch (against DataLoader with an lru-cache
 * cacheMap, and against one `@Cached` hit), how many method calls a request of 1,000 ids with 90%
 * cached and 10,000 concurrent single-id calls make, and the wall time of 100 concurrent single-id
 * calls against a backend with 1 ms per round trip (on one connection), batched or not.
 */
export const batched: Scenario = {
  id: 'K',
  title: `@CachedBatch: all-hit batches, method calls per request, a 1 ms backend`,
  async run({ esm, budget }) {
    const problems: string[] = [];
    const utils = new ExecutionUtils({ cacheSize: 100_000 });
    const ids = Array.from({ length: BATCH }, (_, i) => `id-${i}`);
    const getMany = utils.wrapBatch(async (keys: readonly string[]) => keys.map((k) => `v:${k}`), {
      name: 'item',
      tenant: 'shared',
      maxBatchSize: BATCH,
    });
    const getOne = utils.wrap(async (key: string) => `v:${key}`, {
      name: 'item',
      cache: { tenant: 'shared' },
    });
    const loader = new DataLoader<string, string>(async (keys) => keys.map((k) => `v:${k}`), {
      cacheMap: new LRUCache<string, Promise<string>>({ max: 100_000 }),
      maxBatchSize: BATCH,
    });
    await getMany(ids);
    await loader.loadMany(ids);
    const hitsBefore = utils.getStats('item').batches;
    const cases: Case[] = [
      { name: OURS, kind: 'ours', fn: async () => void (await getMany(ids)) },
      { name: LOADER, kind: 'peer', fn: async () => void (await loader.loadMany(ids)) },
      { name: SINGLE, kind: 'ours', fn: async () => void (await getOne('id-7')) },
    ];
    const measured = await measureCases(esm, 'K', cases, budget, undefined, problems);
    if (utils.getStats('item').batches !== hitsBefore)
      problems.push('K: an all-hit batch called the method');
    const rows: Row[] = [...measured];
    const ours = find(rows, OURS);

    // 1,000 ids, 900 of them cached: one method call for the 100 missing (maxBatchSize 100).
    let calls = 0;
    const partial = utils.wrapBatch(
      async (keys: readonly number[]) => {
        calls++;
        return keys.map((k) => k * 2);
      },
      { name: 'partial', tenant: 'shared', maxBatchSize: BATCH },
    );
    const thousand = Array.from({ length: 1_000 }, (_, i) => i);
    await partial(thousand.filter((i) => i % 10 !== 0));
    calls = 0;
    const values = await partial(thousand);
    if (values[999] !== 1_998) problems.push('K: the 1,000-id request got a wrong value');
    const partialCalls = calls;

    // 10,000 concurrent single-id calls in one tick.
    calls = 0;
    const singles = utils.wrapBatch(
      async (keys: readonly number[]) => {
        calls++;
        return keys.map((k) => k + 1);
      },
      { name: 'singles', tenant: 'shared', maxBatchSize: BATCH },
    );
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => singles([i])));
    const singleCalls = calls;

    // 100 concurrent single-id calls against a 1 ms backend on one connection.
    const walls = { batched: [] as number[], cached: [] as number[] };
    const trips = { batched: 0, cached: 0 };
    for (let rep = 0; rep < budget.singleFlightReps; rep++) {
      const backend = oneConnectionBackend();
      const viaBatch = utils.wrapBatch(
        async (keys: readonly number[]) => {
          await backend.roundTrip();
          return keys.map((k) => k);
        },
        { name: `backend-batch-${rep}`, tenant: 'shared', maxBatchSize: BATCH },
      );
      const viaCached = utils.wrap(
        async (key: number) => {
          await backend.roundTrip();
          return key;
        },
        { name: `backend-cached-${rep}`, cache: { tenant: 'shared' } },
      );
      let t0 = performance.now();
      await Promise.all(Array.from({ length: 100 }, (_, i) => viaBatch([i])));
      walls.batched.push(performance.now() - t0);
      trips.batched = backend.trips();
      t0 = performance.now();
      await Promise.all(Array.from({ length: 100 }, (_, i) => viaCached(i)));
      walls.cached.push(performance.now() - t0);
      trips.cached = backend.trips() - trips.batched;
    }
    const median = (xs: number[]): number =>
      percentile(
        [...xs].sort((a, b) => a - b),
        0.5,
      );
    const batchedMs = median(walls.batched);
    const cachedMs = median(walls.cached);
    rows.push(
      {
        scenario: 'K',
        name: '1,000 ids, 90% cached, maxBatchSize 100: method calls',
        kind: 'ours',
        value: `${partialCalls} call`,
        metric: partialCalls,
      },
      {
        scenario: 'K',
        name: '10,000 concurrent single-id calls in one tick: method calls',
        kind: 'ours',
        value: `${singleCalls} calls`,
        metric: singleCalls,
      },
      {
        scenario: 'K',
        name: '100 concurrent single-id calls, 1 ms backend (one connection): @CachedBatch',
        kind: 'ours',
        value: `${batchedMs.toFixed(2)} ms wall, ${trips.batched} round trip(s)`,
        metric: batchedMs,
      },
      {
        scenario: 'K',
        name: '100 concurrent single-id calls, 1 ms backend (one connection): @Cached',
        kind: 'baseline',
        value: `${cachedMs.toFixed(2)} ms wall, ${trips.cached} round trips`,
        metric: cachedMs,
      },
    );
    await utils.close();
    return {
      rows,
      targets: [
        target(
          'K',
          'all-hit batch per item: ours / DataLoader',
          ratio(ours, find(rows, LOADER)),
          '<=',
          1,
        ),
        target(
          'K',
          'all-hit batch per item / one @Cached hit',
          ratio(ours === undefined ? undefined : ours / BATCH, find(rows, SINGLE)),
          '<=',
          0.5,
        ),
        target('K', 'method calls for 1,000 ids with 100 missing', partialCalls, '==', 1, ''),
        target(
          'K',
          'method calls for 10,000 single-id calls',
          singleCalls,
          '==',
          10_000 / BATCH,
          '',
        ),
        target('K', '1 ms backend: batched wall / @Cached wall', batchedMs / cachedMs, '<=', 0.1),
      ],
      problems,
      notes: [
        `K: ${budget.singleFlightReps} reps of the backend rows; batched ` +
          `${walls.batched.map((t) => t.toFixed(1)).join(', ')} ms, @Cached ` +
          `${walls.cached.map((t) => t.toFixed(1)).join(', ')} ms.`,
      ],
    };
  },
};
