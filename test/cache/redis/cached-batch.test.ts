import 'reflect-metadata';
import Redis from 'ioredis';
import type { ExecutionUtils } from '../../../src';
import { describeRedis, startRedis, type RedisServer } from './redis-server';
import { Tiers, within } from './tier-fixtures';

// @CachedBatch with the Redis tier: the L1 misses of a batch go to Redis together, and what one
// process loaded another serves without calling the method.

let server: RedisServer;
let raw: Redis;
const tiers = new Tiers();

async function scriptsRun(): Promise<number> {
  const info = await raw.info('commandstats');
  const count = (name: string): number =>
    Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return count('evalsha') + count('eval');
}

function bulk(utils: ExecutionUtils, name: string) {
  const calls: number[][] = [];
  const getMany = utils.wrapBatch(
    async (ids: readonly number[]) => {
      calls.push([...ids]);
      return ids.map((id) => `${name}-${id}`);
    },
    { name, ttl: 60_000, tenant: 'shared', maxBatchSize: 100 },
  );
  return { getMany, calls };
}

const up = (utils: ExecutionUtils): Promise<number> =>
  within(2_000, async () => (await utils.health()).tiers.redis?.status === 'up');

describeRedis('@CachedBatch with the Redis tier', () => {
  beforeAll(async () => {
    server = tiers.server = await startRedis();
    raw = new Redis(server.url);
  });

  afterEach(() => tiers.closeAll());

  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });

  it('serves in one process the items another loaded, without calling the method', async () => {
    const [a, b] = tiers.pair();
    await Promise.all([up(a), up(b)]);
    const inA = bulk(a, 'item');
    const inB = bulk(b, 'item');
    const ids = Array.from({ length: 10 }, (_, i) => i);
    await expect(inA.getMany(ids)).resolves.toEqual(ids.map((id) => `item-${id}`));
    await a.close();
    await expect(inB.getMany([...ids, 10])).resolves.toEqual(
      [...ids, 10].map((id) => `item-${id}`),
    );
    expect(inB.calls).toEqual([[10]]);
    expect(b.getStats('item')).toMatchObject({ remoteHits: 10, remoteMisses: 1, batches: 1 });
  });

  it('asks Redis for the L1 misses of 1,000 ids with 90% cached in one round trip', async () => {
    const utils = tiers.service({
      namespace: `batch${++tiers.namespaceCount}`,
      cacheSize: 10_000,
    });
    const namespace = `batch${tiers.namespaceCount}`;
    await up(utils);
    const { getMany, calls } = bulk(utils, 'bulk');
    const ids = Array.from({ length: 1_000 }, (_, i) => i);
    const cached = ids.filter((id) => id % 10 !== 0);
    await getMany(cached);
    // Its writes go to Redis in the background: wait for them before counting.
    await within(2_000, async () => (await raw.keys(`${namespace}:{*}:v`)).length === 900);
    await raw.config('RESETSTAT');
    await expect(getMany(ids)).resolves.toEqual(ids.map((id) => `bulk-${id}`));
    // 900 ids went out in 9 calls of maxBatchSize; the 100 missing ones in one.
    expect(calls).toHaveLength(10);
    expect(calls[9]).toEqual(ids.filter((id) => id % 10 === 0));
    await utils.close();
    // One claim script for the 100 L1 misses, then one write script and one index script.
    expect(await scriptsRun()).toBe(3);
  });

  it('waits for the ids another process is loading and serves its values, loading the rest', async () => {
    const [a, b] = tiers.pair();
    await Promise.all([up(a), up(b)]);
    const slowCalls: number[][] = [];
    const slow = a.wrapBatch(
      async (ids: readonly number[]) => {
        slowCalls.push([...ids]);
        await new Promise((resolve) => setTimeout(resolve, 150));
        return ids.map((id) => `shared-${id}`);
      },
      { name: 'shared', tenant: 'shared' },
    );
    const inB = bulk(b, 'shared');
    const loading = slow([1, 2]);
    await within(1_000, async () => (await raw.keys('pair*:{*}:l')).length === 2);
    await expect(inB.getMany([1, 2, 3])).resolves.toEqual(['shared-1', 'shared-2', 'shared-3']);
    expect(inB.calls).toEqual([[3]]);
    await loading;
    expect(slowCalls).toEqual([[1, 2]]);
  });
});
