import { Registry } from 'prom-client';
import {
  Bulkhead,
  BulkheadRejectedError,
  Cached,
  Retry,
  Timeout,
  runWithContext,
  type ExecutionUtils,
} from '../../src';
import { deferred, rig, type TestRig } from '../helpers';

// The original's goal of 10,000+ concurrent operations, in one process: every call in flight at
// once (started before any of them can settle), behind a bulkhead, across tenants. Nothing is
// refused beyond what the bulkhead is configured to refuse, every answer is the caller's own,
// and nothing stays behind when they are done: no timer, no slot, no queued call, no entry past
// the cache's bound.

const CALLS = 10_000;
const TENANTS = 10;
const SLOTS = 100;
/** Tens of thousands of calls under coverage on a loaded 2-core machine take seconds, not ms. */
const SCALE_TIMEOUT_MS = 60_000;

interface Row {
  tenant: string;
  id: number;
}

/** A database that holds every query until `open` resolves, and counts what reached it. */
function databaseWith(maxQueue: number) {
  class Database {
    readonly open = deferred<void>();
    running = 0;
    mostRunning = 0;
    loads = 0;

    @Cached({ name: 'row', ttl: 60_000 })
    @Bulkhead({ name: 'db', maxConcurrent: SLOTS, maxQueue })
    @Retry({ attempts: 2 })
    @Timeout(1_000)
    async row(tenant: string, id: number): Promise<Row> {
      this.loads++;
      this.mostRunning = Math.max(this.mostRunning, ++this.running);
      await this.open.promise;
      this.running--;
      return { tenant, id };
    }
  }
  return new Database();
}

type Database = ReturnType<typeof databaseWith>;

/** Call i: tenant i mod TENANTS, id i (distinct keys), entered as each request would. */
function callAll(db: Database, from = 0): Promise<PromiseSettledResult<Row>>[] {
  return Array.from({ length: CALLS }, (_, n) => {
    const i = from + n;
    const tenant = `t${i % TENANTS}`;
    return runWithContext({ userId: tenant }, () => db.row(tenant, i)).then(
      (value) => ({ status: 'fulfilled', value }),
      (reason: unknown) => ({ status: 'rejected', reason }),
    );
  });
}

/** What the bulkhead gauges say now. */
async function bulkhead(registry: Registry): Promise<{ inUse: number; queued: number }> {
  const read = async (name: string): Promise<number> =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.bulkhead === 'db')
      ?.value ?? 0;
  return { inUse: await read('bulkhead_in_use'), queued: await read('bulkhead_queued') };
}

function wellOf(settled: PromiseSettledResult<Row>[], from = 0): number {
  return settled.filter(
    (s, n) =>
      s.status === 'fulfilled' &&
      s.value.id === from + n &&
      s.value.tenant === `t${(from + n) % TENANTS}`,
  ).length;
}

function leftBehind(t: TestRig, utils: ExecutionUtils) {
  return {
    timers: t.clock.pendingTimers,
    entries: utils.getMemoryStats().cacheSize,
  };
}

describe('10,000 concurrent operations in one process', () => {
  let t: TestRig;
  let registry: Registry;

  beforeEach(() => {
    registry = new Registry();
    t = rig({ tenant: 'required', cacheSize: CALLS, metrics: { registry } });
  });

  afterEach(() => t.utils.close());

  it(
    'holds 10,000 misses in flight behind a bulkhead of 100, refuses none, answers each its own',
    async () => {
      const db = databaseWith(CALLS);
      const started = performance.now();
      const calls = callAll(db);
      // A second caller of every key joins the first one's load (a miss, coalesced), queueing none.
      const again = callAll(db);
      await new Promise((resolve) => setImmediate(resolve));
      expect(await bulkhead(registry)).toEqual({ inUse: SLOTS, queued: CALLS - SLOTS });
      // Only the running calls have a timeout armed: a queued call's clock has not started.
      expect(t.clock.pendingTimers).toBe(SLOTS);
      db.open.resolve();
      const [first, second] = await Promise.all([Promise.all(calls), Promise.all(again)]);
      const ms = performance.now() - started;
      expect(wellOf(first)).toBe(CALLS);
      expect(wellOf(second)).toBe(CALLS);
      expect(db.loads).toBe(CALLS);
      expect(db.mostRunning).toBe(SLOTS);
      expect(t.utils.getStats('row')).toMatchObject({ misses: 2 * CALLS, coalesced: CALLS });
      expect(await bulkhead(registry)).toEqual({ inUse: 0, queued: 0 });
      expect(leftBehind(t, t.utils)).toEqual({ timers: 0, entries: CALLS });
      console.log(
        `[10,000 in flight] ${2 * CALLS} calls (${CALLS} loads, ${CALLS} coalesced) in ${ms.toFixed(0)} ms`,
      );
    },
    SCALE_TIMEOUT_MS,
  );

  it(
    'refuses exactly what overflows the queue it was given, and serves the rest',
    async () => {
      const queue = 5_000;
      const db = databaseWith(queue);
      const calls = callAll(db);
      await new Promise((resolve) => setImmediate(resolve));
      expect(await bulkhead(registry)).toEqual({ inUse: SLOTS, queued: queue });
      db.open.resolve();
      const settled = await Promise.all(calls);
      const refused = settled.filter(
        (s) => s.status === 'rejected' && s.reason instanceof BulkheadRejectedError,
      );
      expect(refused).toHaveLength(CALLS - SLOTS - queue);
      // The first SLOTS + queue callers got in, in order; every one of them got its own row.
      expect(wellOf(settled.slice(0, SLOTS + queue))).toBe(SLOTS + queue);
      expect(leftBehind(t, t.utils)).toEqual({ timers: 0, entries: SLOTS + queue });
    },
    SCALE_TIMEOUT_MS,
  );

  it(
    'keeps memory bounded over rounds of 10,000 new keys: the cache stays at its bound',
    async () => {
      await t.utils.close();
      registry = new Registry();
      t = rig({ tenant: 'required', cacheSize: 1_000, metrics: { registry } });
      for (let round = 0; round < 5; round++) {
        const db = databaseWith(CALLS);
        db.open.resolve();
        const settled = await Promise.all(callAll(db, round * CALLS));
        expect(wellOf(settled, round * CALLS)).toBe(CALLS);
        expect(leftBehind(t, t.utils)).toEqual({ timers: 0, entries: 1_000 });
        expect(await bulkhead(registry)).toEqual({ inUse: 0, queued: 0 });
      }
      expect(t.utils.getStats().evictions).toBe(5 * CALLS - 1_000);
    },
    SCALE_TIMEOUT_MS,
  );
});
