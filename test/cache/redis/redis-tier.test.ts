import 'reflect-metadata';
import Redis from 'ioredis';
import { ExecutionUtils, runWithContext } from '../../../src';
import { WRITE } from '../../../src/cache/redis/scripts';
import { describeRedis, startRedis, type RedisServer } from './redis-server';
import { hostProcess } from '../../fixtures/resilience-services';
import { CuttingProxy } from './cutting-proxy';
import { loader, Tiers, within } from './tier-fixtures';

let server: RedisServer;
const tiers = new Tiers();
const service = tiers.service.bind(tiers);
const pair = tiers.pair.bind(tiers);
const subscribed = tiers.subscribed.bind(tiers);

describeRedis('Redis tier', () => {
  beforeAll(async () => {
    server = tiers.server = await startRedis();
  });

  afterEach(async () => {
    server.resume();
    await tiers.closeAll();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('serves in one process what another computed, without running the method', async () => {
    const [a, b] = pair();
    const inA = loader(a, 'Projects.get', (id) => `project-${id}`);
    const inB = loader(b, 'Projects.get', (id) => `other-${id}`);
    await expect(inA.get(1)).resolves.toBe('project-1');
    await within(1_000, async () => (await b.health()).tiers.redis?.status === 'up');
    await expect(inB.get(1)).resolves.toBe('project-1');
    expect(inB.runs()).toBe(0);
    expect(b.getStats('Projects.get')).toMatchObject({ misses: 1, remoteHits: 1 });
    // Now in B's own tier: no Redis round trip.
    await expect(inB.get(1)).resolves.toBe('project-1');
    expect(b.getStats('Projects.get')).toMatchObject({ hits: 1, remoteHits: 1 });
  });

  it('keeps types across processes: Date, Map, Set, BigInt, Buffer and undefined', async () => {
    const [a, b] = pair();
    const value = {
      at: new Date(1_700_000_000_000),
      byId: new Map([[1, 'a']]),
      tags: new Set(['x']),
      big: 2n ** 70n,
      bytes: Buffer.from('hi'),
      missing: undefined,
    };
    await loader(a, 'Typed.get', () => value).get(1);
    const inB = loader<unknown>(b, 'Typed.get', () => null);
    const copy = await inB.get(1);
    expect(inB.runs()).toBe(0);
    expect(copy).toEqual(value);
    expect(copy).toHaveProperty('missing');
    expect((copy as typeof value).bytes).toBeInstanceOf(Buffer);
  });

  it('keeps tenants apart in Redis as in memory', async () => {
    const [a, b] = pair();
    const inA = loader(a, 'Secrets.get', () => 'alice-secret');
    const inB = loader(b, 'Secrets.get', () => 'bob-secret');
    await runWithContext({ userId: 'alice' }, () => inA.get(1));
    await expect(runWithContext({ userId: 'bob' }, () => inB.get(1))).resolves.toBe('bob-secret');
    await expect(runWithContext({ userId: 'alice' }, () => inB.get(1))).resolves.toBe(
      'alice-secret',
    );
  });

  it('keeps namespaces apart', async () => {
    const a = service({ namespace: `ns-a${++tiers.namespaceCount}` });
    const b = service({ namespace: `ns-b${tiers.namespaceCount}` });
    await loader(a, 'Shared.get', () => 'a').get(1);
    const inB = loader(b, 'Shared.get', () => 'b');
    await expect(inB.get(1)).resolves.toBe('b');
  });

  it('gives an L2 hit the TTL it has left in the in-process tier', async () => {
    const [a, b] = pair();
    await loader(a, 'Short.get', () => 'v', { ttl: 300 }).get(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const inB = loader(b, 'Short.get', () => 'fresh', { ttl: 300 });
    await expect(inB.get(1)).resolves.toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // 350 ms after A cached it: gone from B's tier and from Redis.
    await expect(inB.get(1)).resolves.toBe('fresh');
  });

  it.each<[string, (u: ExecutionUtils) => Promise<number>]>([
    ['invalidateTenant', (u) => u.invalidateTenant('alice')],
    ['invalidateOperation', (u) => u.invalidateOperation('Docs.get')],
    ['invalidateTags', (u) => u.invalidateTags(['doc:1'])],
    ['invalidate(key)', (u) => u.invalidate(u.generateCacheKey('Docs.get', 'alice', '', [1]))],
    ['clearCache', (u) => u.clearCache().then(() => 1)],
  ])(
    '%s in one process drops the entry from Redis and from the other process',
    async (_, invalidate) => {
      const [a, b] = pair();
      await subscribed(`pair${tiers.namespaceCount}`, 2);
      const version = { n: 1 };
      const docs = { tags: (args: unknown[]) => [`doc:${String(args[0])}`] };
      const inA = loader(a, 'Docs.get', () => `v${version.n}`, docs);
      const inB = loader(b, 'Docs.get', () => `v${version.n}`, docs);
      const asAlice = <T>(fn: () => Promise<T>): Promise<T> =>
        runWithContext({ userId: 'alice' }, fn);
      await asAlice(() => inA.get(1));
      await asAlice(() => inB.get(1));
      expect(b.getStats().remoteHits).toBe(1);
      version.n = 2;
      await expect(invalidate(a)).resolves.toBe(1);
      const tookMs = await within(1_000, () => b.getStats().invalidated === 1);
      expect(tookMs).toBeLessThan(1_000);
      await expect(asAlice(() => inB.get(1))).resolves.toBe('v2');
      await expect(asAlice(() => inA.get(1))).resolves.toBe('v2');
    },
  );

  it('runs the method once when two processes miss the same cold key together', async () => {
    const [a, b] = pair();
    let runs = 0;
    const slow = async (): Promise<string> => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return 'computed';
    };
    const inA = a.wrap(slow, { name: 'Cold.get', cache: true });
    const inB = b.wrap(slow, { name: 'Cold.get', cache: true });
    const results = await Promise.all([inA(), inB(), inA(), inB()]);
    expect(results).toEqual(['computed', 'computed', 'computed', 'computed']);
    expect(runs).toBe(1);
  });

  it('lets a waiter load the key itself once a crashed holder lock runs out', async () => {
    const namespace = `crash${++tiers.namespaceCount}`;
    const utils = service({
      namespace,
      redis: { url: server.url, commandTimeout: 1_000, lock: { ttl: 200, wait: 50 } },
    });
    const raw = new Redis(server.url);
    try {
      const key = utils.generateCacheKey('Held.get', '', '', [1]);
      // A holder that took the lock and died before writing.
      await raw.set(`${namespace}:{${key}}:l`, 'dead-holder', 'PX', 200);
      const inUtils = loader(utils, 'Held.get', () => 'mine');
      const started = Date.now();
      await expect(inUtils.get(1)).resolves.toBe('mine');
      // It waited for the holder (50 ms), then loaded the key itself.
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      raw.disconnect();
    }
  });

  it('releases the lock of a holder whose write to Redis failed, so others do not wait it out', async () => {
    const client = new Redis(server.url);
    let failWrites = 0;
    // A client whose next write script fails, as a dropped connection would make it.
    const flaky = new Proxy(client, {
      get(target, property, receiver) {
        if (property === 'evalsha') {
          return (sha: string, numKeys: number, ...rest: (string | number)[]) =>
            sha === WRITE.sha && failWrites-- > 0
              ? Promise.reject(new Error('connection lost'))
              : target.evalsha(sha, numKeys, ...rest);
        }
        const member: unknown = Reflect.get(target, property, receiver);
        return typeof member === 'function' ? (member as () => unknown).bind(target) : member;
      },
    });
    try {
      const namespace = `failed-write${++tiers.namespaceCount}`;
      const a = service({ namespace, redis: { client: flaky, commandTimeout: 1_000 } });
      const b = service({ namespace });
      failWrites = 1;
      await loader(a, 'Lost.get', () => 'from-a').get(1);
      const started = Date.now();
      await expect(loader(b, 'Lost.get', () => 'from-b').get(1)).resolves.toBe('from-b');
      // Not the 5 s lock wait: the lock was released after the failed write.
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(a.getStats().remoteErrors).toBe(1);
    } finally {
      client.disconnect();
    }
  });

  it('does not let a holder whose load was invalidated write its older value to Redis', async () => {
    const [a, b] = pair();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let version = 1;
    const slow = a.wrap(
      async () => {
        const mine = version;
        await gate;
        return `v${mine}`;
      },
      { name: 'Fenced.get', cache: true },
    );
    const pending = slow();
    await within(1_000, async () => (await b.health()).tiers.redis?.status === 'up');
    await new Promise((resolve) => setTimeout(resolve, 20));
    version = 2;
    await b.invalidateOperation('Fenced.get');
    await b.invalidate(b.generateCacheKey('Fenced.get', '', '', []));
    release();
    await expect(pending).resolves.toBe('v1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = loader(b, 'Fenced.get', () => `v${version}`);
    await expect(fresh.get(undefined as unknown as number)).resolves.toBe('v2');
  });

  it('reads data it cannot decode as a miss, counts it, and overwrites it', async () => {
    const namespace = `corrupt${++tiers.namespaceCount}`;
    const utils = service({ namespace });
    const raw = new Redis(server.url);
    try {
      const key = utils.generateCacheKey('Corrupt.get', '', '', [1]);
      await raw.set(`${namespace}:{${key}}:v`, '{"__proto__":{"polluted":true}}');
      const inUtils = loader(utils, 'Corrupt.get', () => 'recomputed');
      await expect(inUtils.get(1)).resolves.toBe('recomputed');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(utils.getStats().remoteDecodeErrors).toBe(1);
      await within(
        1_000,
        async () => (await raw.get(`${namespace}:{${key}}:v`))?.startsWith('{"v":2') ?? false,
      );
    } finally {
      raw.disconnect();
    }
  });

  it('reports Redis in health() with its round-trip time', async () => {
    const utils = service();
    await within(1_000, async () => (await utils.health()).tiers.redis?.status === 'up');
    const { tiers, status } = await utils.health();
    expect(status).toBe('healthy');
    expect(tiers.redis).toMatchObject({ status: 'up', breaker: 'closed', errors: 0 });
    expect(tiers.redis?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps calls succeeding within the method time + one command timeout while Redis hangs', async () => {
    const utils = service({ redis: { url: server.url, commandTimeout: 50 } });
    await within(1_000, async () => (await utils.health()).tiers.redis?.status === 'up');
    const inUtils = loader(utils, 'Hung.get', async (id) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return id;
    });
    server.pause();
    const latencies: number[] = [];
    for (let id = 0; id < 5; id++) {
      const started = Date.now();
      await expect(inUtils.get(id)).resolves.toBe(id);
      latencies.push(Date.now() - started);
    }
    // method (20 ms) + one command timeout (50 ms), with room for a loaded machine.
    expect(Math.max(...latencies)).toBeLessThan(20 + 50 + 60);
    expect(utils.getStats().remoteErrors).toBeGreaterThan(0);
    const { tiers } = await utils.health();
    expect(tiers.redis?.status).toBe('down');
    server.resume();
  });

  it('opens the tier breaker while Redis is down, then resumes by itself', async () => {
    const utils = service({
      redis: { url: server.url, commandTimeout: 50, breaker: { failures: 2, halfOpenAfter: 100 } },
    });
    const states: string[] = [];
    utils.on('breakerStateChange', ({ to }) => states.push(to));
    await within(1_000, async () => (await utils.health()).tiers.redis?.status === 'up');
    const inUtils = loader(utils, 'Down.get', (id) => id);
    await server.kill();
    for (let id = 0; id < 4; id++) await expect(inUtils.get(id)).resolves.toBe(id);
    expect(states).toContain('open');
    await server.restart();
    await within(3_000, async () => (await utils.health()).tiers.redis?.status === 'up');
    await new Promise((resolve) => setTimeout(resolve, 120));
    await within(3_000, async () => {
      await inUtils.get(Math.random());
      return states.at(-1) === 'closed';
    });
  });

  it('clears its in-process tier when its invalidation channel reconnects', async () => {
    const utils = service({ redis: { url: server.url, commandTimeout: 50 } });
    await subscribed(`t${tiers.namespaceCount}`, 1);
    const events: string[] = [];
    utils.on('invalidated', ({ origin }) => events.push(origin));
    await loader(utils, 'Resync.get', (id) => id).get(1);
    await server.kill();
    await server.restart();
    await within(5_000, () => events.includes('reconnect'));
    expect(utils.getMemoryStats().cacheSize).toBe(0);
  });

  it('leaves no rejection unhandled when its subscriber loses the connection while it resubscribes', async () => {
    const proxy = await CuttingProxy.start(server.port);
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    const host = hostProcess();
    host.on('unhandledRejection', listener);
    try {
      const utils = service({ redis: { url: proxy.url, commandTimeout: 200 } });
      await subscribed(`t${tiers.namespaceCount}`, 1);
      // The subscriber reconnects and resubscribes; that SUBSCRIBE never gets its answer.
      proxy.cutWhenSent('SUBSCRIBE');
      proxy.cutAll();
      await within(3_000, () => proxy.cuts >= 1);
      proxy.cutWhenSent(undefined);
      await subscribed(`t${tiers.namespaceCount}`, 1);
      await within(3_000, async () => (await utils.health()).tiers.redis?.status === 'up');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      host.off('unhandledRejection', listener);
      await tiers.closeAll();
      await proxy.close();
    }
  });

  it('with lock: false, lets every process that misses run the method', async () => {
    const [a, b] = pair({ redis: { url: server.url, commandTimeout: 1_000, lock: false } });
    let runs = 0;
    const slow = async (): Promise<string> => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'computed';
    };
    await Promise.all([
      a.wrap(slow, { name: 'NoLock.get', cache: true })(),
      b.wrap(slow, { name: 'NoLock.get', cache: true })(),
    ]);
    expect(runs).toBe(2);
  });

  it('keeps a value the codec cannot store in process only, and counts it', async () => {
    const [a, b] = pair();
    const reasons: string[] = [];
    a.on('remoteError', ({ reason }) => reasons.push(reason));
    const withFunction = { id: 1, format: () => 'x' };
    const inA = loader(a, 'Unencodable.get', () => withFunction);
    await expect(inA.get(1)).resolves.toBe(withFunction);
    await expect(inA.get(1)).resolves.toBe(withFunction);
    expect(inA.runs()).toBe(1);
    await within(1_000, () => reasons.includes('encode'));
    const inB = loader(b, 'Unencodable.get', () => 'recomputed');
    await expect(inB.get(1)).resolves.toBe('recomputed');
  });

  it('serves a synchronous method from the in-process tier only', async () => {
    const utils = service();
    let calls = 0;
    const get = utils.wrap((id: number) => ({ id, call: ++calls }), {
      name: 'Sync.get',
      cache: true,
    });
    expect(get(1)).toEqual({ id: 1, call: 1 });
    expect(get(1)).toEqual({ id: 1, call: 1 });
    expect(utils.getStats()).toMatchObject({ remoteHits: 0, remoteMisses: 0 });
  });

  it('uses a client it is given, and leaves it open on close()', async () => {
    const client = new Redis(server.url);
    try {
      const namespace = `given${++tiers.namespaceCount}`;
      const a = service({ namespace, redis: { client, commandTimeout: 1_000 } });
      const b = service({ namespace });
      await loader(a, 'Given.get', () => 'from-a').get(1);
      const inB = loader(b, 'Given.get', () => 'from-b');
      await within(1_000, async () => (await inB.get(1)) === 'from-a');
      await a.close();
      await expect(client.ping()).resolves.toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('ignores malformed messages on its channel and acts on a well-formed one', async () => {
    const utils = service();
    const namespace = `t${tiers.namespaceCount}`;
    await subscribed(namespace, 1);
    const inUtils = loader(utils, 'Bus.get', (id) => id);
    await runWithContext({ userId: 'alice' }, () => inUtils.get(1));
    await inUtils.get(2);
    const raw = new Redis(server.url);
    try {
      const channel = `${namespace}:{}invalidations`;
      const malformed = [
        'not json',
        'null',
        '[]',
        '{"o":1,"w":{"kind":"all"}}',
        '{"o":"x","w":null}',
        '{"o":"x","w":{"kind":"key","key":5}}',
        '{"o":"x","w":{"kind":"operation"}}',
        '{"o":"x","w":{"kind":"tenant","id":{}}}',
        '{"o":"x","w":{"kind":"tags","tags":"a"}}',
        '{"o":"x","w":{"kind":"tags","tags":[1]}}',
        '{"o":"x","w":{"kind":"everything"}}',
        '{"o":"x","w":{"kind":"__proto__"}}',
      ];
      for (const message of malformed) await raw.publish(channel, message);
      await raw.publish(channel, '{"o":"another process","w":{"kind":"tenant","id":"alice"}}');
      await within(1_000, () => utils.getStats().invalidated === 1);
      expect(utils.getMemoryStats().cacheSize).toBe(1);
      await raw.publish(channel, '{"o":"x","w":{"kind":"all"}}');
      await within(1_000, () => utils.getMemoryStats().cacheSize === 0);
    } finally {
      raw.disconnect();
    }
  });

  it('closes its connections: close() leaves no handle open', async () => {
    const utils = service();
    await within(1_000, async () => (await utils.health()).tiers.redis?.status === 'up');
    await loader(utils, 'Closing.get', (id) => id).get(1);
    await utils.close();
    const { status, tiers } = await utils.health();
    expect(status).toBe('unhealthy');
    expect(tiers.redis).toBeUndefined();
    // Its connections are gone: an invalidation after close() does not try Redis.
    await expect(utils.invalidateTenant('anyone')).resolves.toBe(0);
    expect(utils.getStats().remoteErrors).toBe(0);
  });
});
