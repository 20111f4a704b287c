import 'reflect-metadata';
import Redis from 'ioredis';
import type { ExecutionUtils } from '../../../src';
import { deferred } from '../../helpers';
import { describeRedis, startRedis, type RedisServer } from './redis-server';
import { Tiers, within } from './tier-fixtures';

// refreshAhead with the Redis tier: the load time travels with the entry, an early refresh skips
// the entry its own copy came from, and the key's lock makes it one load across processes.
let server: RedisServer;
const tiers = new Tiers();

/** ln(NEVER) ~ -1e-9: no hit refreshes. ln(ALWAYS) ~ -690: every hit of a timed entry does. */
const NEVER = 1 - 1e-9;
const ALWAYS = 1e-300;

/** Two processes' services on one namespace, each with a draw the test sets. */
function processes() {
  const draws = { a: NEVER, b: NEVER };
  const namespace = `refresh${++tiers.namespaceCount}`;
  const a = tiers.service({ namespace, random: () => draws.a, refreshAhead: true });
  const b = tiers.service({ namespace, random: () => draws.b, refreshAhead: true });
  return { a, b, draws, namespace };
}

/** A method counting its runs, returning `version` as it stands when the run ends. */
function hotKey(utils: ExecutionUtils, shared: { version: number; gate?: Promise<void> }) {
  let runs = 0;
  const get = utils.wrap(
    async (id: string) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      await shared.gate;
      return `${id}-v${shared.version}`;
    },
    { name: 'Hot.get', cache: { ttl: 10_000 } },
  );
  return { get, runs: () => runs };
}

describeRedis('refreshAhead with the Redis tier', () => {
  beforeAll(async () => {
    server = tiers.server = await startRedis();
  });

  afterEach(async () => {
    await tiers.closeAll();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('keeps the load time in the Redis entry, so another process refreshes by it', async () => {
    const { a, b, draws, namespace } = processes();
    const shared = { version: 1 };
    const inA = hotKey(a, shared);
    const inB = hotKey(b, shared);
    await expect(inA.get('k')).resolves.toBe('k-v1');
    const raw = new Redis(server.url);
    try {
      const redisKey = `${namespace}:{${a.generateCacheKey('Hot.get', '', '', ['k'])}}:v`;
      await within(1_000, async () => (await raw.get(redisKey)) !== null);
      const stored = JSON.parse((await raw.get(redisKey))!) as { l?: number };
      // The load waited 20 ms on a real timer.
      expect(stored.l).toBeGreaterThanOrEqual(15);
    } finally {
      raw.disconnect();
    }
    await expect(inB.get('k')).resolves.toBe('k-v1');
    expect(b.getStats('Hot.get')).toMatchObject({ remoteHits: 1, earlyRefreshes: 0 });
    // B's copy came from Redis with A's load time: its hits draw on it.
    shared.version = 2;
    draws.b = ALWAYS;
    await expect(inB.get('k')).resolves.toBe('k-v1');
    draws.b = NEVER;
    expect(b.getStats('Hot.get').earlyRefreshes).toBe(1);
    await within(1_000, async () => (await inB.get('k')) === 'k-v2');
    // Redis held only the entry B's copy came from: B loaded, through the key's lock.
    expect(inB.runs()).toBe(1);
  });

  it('takes a newer entry another process stored instead of loading', async () => {
    const { a, b, draws } = processes();
    const shared = { version: 1 };
    const inA = hotKey(a, shared);
    const inB = hotKey(b, shared);
    await inA.get('k');
    await within(1_000, async () => (await inB.get('k')) === 'k-v1');
    shared.version = 2;
    draws.a = ALWAYS;
    await inA.get('k');
    draws.a = NEVER;
    await within(1_000, async () => (await inA.get('k')) === 'k-v2');
    draws.b = ALWAYS;
    await expect(inB.get('k')).resolves.toBe('k-v1');
    draws.b = NEVER;
    await within(1_000, async () => (await inB.get('k')) === 'k-v2');
    expect(inA.runs()).toBe(2);
    expect(inB.runs()).toBe(0);
    // One miss served from Redis (the first read); the refresh's answer from Redis is no miss's.
    expect(b.getStats('Hot.get')).toMatchObject({ earlyRefreshes: 1, misses: 1, remoteHits: 1 });
  });

  it('refreshes a key once across processes when both refresh at the same time', async () => {
    const { a, b, draws } = processes();
    const shared: { version: number; gate?: Promise<void> } = { version: 1 };
    const inA = hotKey(a, shared);
    const inB = hotKey(b, shared);
    await inA.get('k');
    await within(1_000, async () => (await inB.get('k')) === 'k-v1');
    const gate = deferred<void>();
    shared.gate = gate.promise;
    shared.version = 2;
    draws.a = ALWAYS;
    draws.b = ALWAYS;
    await expect(inA.get('k')).resolves.toBe('k-v1');
    // A holds the key's lock (its refresh is held at the gate) before B asks.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(inB.get('k')).resolves.toBe('k-v1');
    draws.a = NEVER;
    draws.b = NEVER;
    // Both keep serving their copies while the one load runs.
    await expect(inA.get('k')).resolves.toBe('k-v1');
    await expect(inB.get('k')).resolves.toBe('k-v1');
    gate.resolve();
    await within(1_000, async () => (await inA.get('k')) === 'k-v2');
    await within(1_000, async () => (await inB.get('k')) === 'k-v2');
    expect(inA.runs() + inB.runs()).toBe(2);
  });

  it('does not write back a refresh that an invalidation overtook, in either tier', async () => {
    const { a, b, draws, namespace } = processes();
    const shared: { version: number; gate?: Promise<void> } = { version: 1 };
    const inA = hotKey(a, shared);
    const inB = hotKey(b, shared);
    await inA.get('k');
    await tiers.subscribed(namespace, 2);
    const gate = deferred<void>();
    shared.gate = gate.promise;
    shared.version = 2;
    draws.a = ALWAYS;
    await inA.get('k');
    draws.a = NEVER;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await b.invalidate(b.generateCacheKey('Hot.get', '', '', ['k']));
    shared.version = 3;
    gate.resolve();
    shared.gate = undefined;
    // The refresh's v2 reaches neither tier: the next call loads what is current.
    await within(1_000, async () => (await inA.get('k')) === 'k-v3');
    await expect(inB.get('k')).resolves.toBe('k-v3');
  });
});
