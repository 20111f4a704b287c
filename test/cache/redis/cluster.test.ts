import 'reflect-metadata';
import { Cluster } from 'ioredis';
import { ExecutionUtils, runWithContext } from '../../../src';
import { describeRedis } from './redis-server';
import { startCluster, type RedisCluster } from './redis-cluster';

let cluster: RedisCluster;
const clients: Cluster[] = [];
const services: ExecutionUtils[] = [];

/** A service on its own Cluster client (as two processes would have). */
function service(): ExecutionUtils {
  const client = new Cluster([...cluster.nodes]);
  clients.push(client);
  const utils = new ExecutionUtils({
    redis: { client, commandTimeout: 2_000 },
    namespace: 'clustered',
  });
  services.push(utils);
  return utils;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeRedis('Redis tier on a Redis Cluster client', () => {
  jest.setTimeout(30_000);

  beforeAll(async () => {
    cluster = await startCluster();
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    for (const client of clients) client.disconnect();
    await cluster?.stop();
  });

  it('shares entries across slots, invalidates by tenant and tag, and clears every master', async () => {
    const [a, b] = [service(), service()];
    let runs = 0;
    const tags = { tags: (args: unknown[]) => [`item:${String(args[0])}`] };
    const inA = a.wrap(async (id: number) => ({ id, run: ++runs }), {
      name: 'Items.get',
      cache: tags,
    });
    const inB = b.wrap(async (id: number) => ({ id, run: ++runs }), {
      name: 'Items.get',
      cache: tags,
    });
    const asUser = <T>(i: number, fn: () => Promise<T>): Promise<T> =>
      runWithContext({ userId: `u${i % 3}` }, fn);
    for (let i = 0; i < 30; i++) await asUser(i, () => inA(i));
    for (let i = 0; i < 30; i++) await asUser(i, () => inB(i));
    expect(runs).toBe(30);
    expect(b.getStats()).toMatchObject({ remoteHits: 30, remoteErrors: 0 });

    await expect(a.invalidateTenant('u1')).resolves.toBe(10);
    await until(() => b.getStats().invalidated === 10);
    await asUser(1, () => inB(1));
    expect(runs).toBe(31);

    await a.invalidateTags(['item:2']);
    await until(() => b.getStats().invalidated === 11);
    await a.clearCache();
    // b held 20: the 30 less the 10 of u1, plus u1's item 1 again, less item 2.
    await until(() => b.getStats().invalidated === 31);
    for (let i = 0; i < 3; i++) await asUser(i, () => inB(i + 100));
    // Cleared on every master: a fresh key everywhere runs, an old one runs again too.
    await asUser(0, () => inB(0));
    expect(runs).toBe(35);
    expect(a.getStats().remoteErrors + b.getStats().remoteErrors).toBe(0);
  });
});
