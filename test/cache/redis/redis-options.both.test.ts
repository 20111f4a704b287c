import { ConfigError, ExecutionUtils, type ExecutionUtilsOptions } from '../../../src';
import { configErrorOf, rig } from '../../helpers';

const client = {
  evalsha: () => Promise.resolve(null),
  eval: () => Promise.resolve(null),
  publish: () => Promise.resolve(0),
  duplicate: () => ({}),
  del: () => Promise.resolve(0),
  ping: () => Promise.resolve('PONG'),
};

describe('redis, namespace and l1 options', () => {
  it.each<[string, ExecutionUtilsOptions, string]>([
    ['neither url nor client', { redis: {} as never }, 'redis'],
    ['both url and client', { redis: { url: 'redis://x', client } as never }, 'redis'],
    ['an http url', { redis: { url: 'http://localhost:6379' } }, 'redis.url'],
    ['a url that is not a string', { redis: { url: 6379 as unknown as string } }, 'redis.url'],
    ['a client without the commands', { redis: { client: {} as never } }, 'redis.client'],
    [
      'a negative commandTimeout',
      { redis: { url: 'redis://x', commandTimeout: -1 } },
      'redis.commandTimeout',
    ],
    ['a lock ttl of 0', { redis: { url: 'redis://x', lock: { ttl: 0 } } }, 'redis.lock.ttl'],
    ['a lock wait of 1.5', { redis: { url: 'redis://x', lock: { wait: 1.5 } } }, 'redis.lock.wait'],
    [
      'breaker failures 0',
      { redis: { url: 'redis://x', breaker: { failures: 0 } } },
      'redis.breaker.failures',
    ],
    ['a namespace with braces', { redis: { url: 'redis://x' }, namespace: 'a{b}' }, 'namespace'],
    ['an empty namespace', { redis: { url: 'redis://x' }, namespace: '' }, 'namespace'],
    ['a namespace with a space', { redis: { url: 'redis://x' }, namespace: 'my app' }, 'namespace'],
    ['a namespace with a glob', { redis: { url: 'redis://x' }, namespace: 'app*' }, 'namespace'],
    ['an l1 that is not an object', { l1: 5 as never }, 'l1'],
    ['a negative l1.size', { l1: { size: -1 } }, 'l1.size'],
    ['an l1.ttl of 0', { l1: { ttl: 0 } }, 'l1.ttl'],
  ])('refuses %s with a ConfigError naming the option', (_, options, option) => {
    expect(configErrorOf(() => new ExecutionUtils(options)).option).toBe(option);
  });

  it('sizes the in-process tier by l1.size over cacheSize', () => {
    const utils = new ExecutionUtils({ cacheSize: 50, l1: { size: 3 } });
    expect(utils.getMemoryStats().maxCacheSize).toBe(3);
  });

  it('keeps no entry in process longer than l1.ttl, whatever its own TTL', async () => {
    const { utils, clock } = rig({ l1: { ttl: 100 } });
    let calls = 0;
    const get = utils.wrap(async () => ++calls, { name: 'capped', cache: { ttl: 60_000 } });
    await get();
    await clock.advance(99);
    await expect(get()).resolves.toBe(1);
    await clock.advance(1);
    await expect(get()).resolves.toBe(2);
  });

  it('caps an entry that never expires (ttl 0) at l1.ttl too', async () => {
    const { utils, clock } = rig({ l1: { ttl: 100 } });
    let calls = 0;
    const get = utils.wrap(async () => ++calls, { name: 'forever', cache: { ttl: 0 } });
    await get();
    await clock.advance(100);
    await expect(get()).resolves.toBe(2);
  });
});

describe('unknown redis option keys', () => {
  // A client, not a url: a key accepted by mistake must not leave a connection open.
  it.each<[string, object, string, string]>([
    ['a redis option', { client, comandTimeout: 5 }, 'redis.comandTimeout', 'commandTimeout'],
    ['a lock option', { client, lock: { ttl: 5, wiat: 5 } }, 'redis.lock.wiat', 'wait'],
    ['a breaker option', { client, breaker: { failure: 3 } }, 'redis.breaker.failure', 'failures'],
  ])('refuses %s, naming the key and the closest known option', (_, redis, option, closest) => {
    const error = configErrorOf(() => new ExecutionUtils({ redis: redis as never }));
    expect(error.option).toBe(option);
    const key = option.slice(option.lastIndexOf('.') + 1);
    expect(error.message).toContain(`unknown option '${key}'; did you mean '${closest}'?`);
  });
});

describe('fromEnv and EXECUTION_REDIS_URL', () => {
  it('reads EXECUTION_REDIS_URL as the redis url', async () => {
    // Nothing listens on port 1: the tier exists and reports Redis down.
    const utils = ExecutionUtils.fromEnv({ EXECUTION_REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      expect((await utils.health()).tiers.redis).toMatchObject({ status: 'down' });
    } finally {
      await utils.close();
    }
  });

  it('refuses an EXECUTION_REDIS_URL that is not a redis URL', () => {
    expect(() => ExecutionUtils.fromEnv({ EXECUTION_REDIS_URL: 'localhost:6379' })).toThrow(
      ConfigError,
    );
  });

  it('ignores an empty EXECUTION_REDIS_URL', async () => {
    const utils = ExecutionUtils.fromEnv({ EXECUTION_REDIS_URL: '  ' });
    expect((await utils.health()).tiers.redis).toBeUndefined();
  });
});

describe('the Redis tier without ioredis installed', () => {
  it('throws a ConfigError that says to install ioredis', () => {
    jest.isolateModules(() => {
      jest.doMock('ioredis', () => {
        throw new Error("Cannot find module 'ioredis'");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy that sees the mock
      const fresh = require('../../../src') as typeof import('../../../src');
      expect(() => new fresh.ExecutionUtils({ redis: { url: 'redis://x' } })).toThrow(
        fresh.ConfigError,
      );
      expect(() => new fresh.ExecutionUtils({ redis: { url: 'redis://x' } })).toThrow(
        /npm install ioredis/,
      );
    });
  });
});
