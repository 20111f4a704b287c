import Redis from 'ioredis';
import { RedisStore } from '../../../src/cache/redis/redis-store';
import { storeContract } from '../store-contract';
import { describeRedis, startRedis, type RedisServer } from './redis-server';

let server: RedisServer;
let client: Redis;
let namespaces = 0;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeRedis('RedisStore', () => {
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    await client.quit();
    await server.stop();
  });

  // A namespace per test: nothing one test writes is seen by the next. Redis expires entries on
  // its own clock, so time passes for real.
  storeContract('RedisStore', async () => ({
    store: new RedisStore(client, `contract${++namespaces}`),
    advance: sleep,
  }));
});
