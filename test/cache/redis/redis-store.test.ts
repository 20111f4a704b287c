import Redis from 'ioredis';
import { RedisStore, type RawClaim } from '../../../src/cache/redis/redis-store';
import type { Lease } from '../../../src/cache/remote-tier';
import type { CacheEntry } from '../../../src/cache/store';
import { describeRedis, startRedis, type RedisServer } from './redis-server';

/**
 * What RedisStore does beyond the store contract (test/cache/store-contract.ts): fenced writes,
 * the per-key lock, undecodable data and namespaces sharing one server.
 */

let server: RedisServer;
let client: Redis;
let namespaces = 0;

const LOCK_MS = 5_000;

const entry = (value: unknown): CacheEntry => ({
  value,
  freshFor: 60_000,
  keptFor: 60_000,
  operation: 'op',
  tenant: '',
  tags: [],
});

/** The lease a claim on an empty key must answer with. */
function leaseOf(claim: RawClaim): Lease {
  if (claim.kind === 'entry') throw new Error('the key was empty: the claim cannot find an entry');
  return claim.lease;
}

/** A store in a namespace no other test uses. */
function store(onUndecodable?: (key: string, reason: string) => void): RedisStore {
  return new RedisStore(client, `store${++namespaces}`, onUndecodable);
}

describeRedis('RedisStore', () => {
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url);
  });

  afterAll(async () => {
    await client.quit();
    await server.stop();
  });

  it('refuses a fenced write whose lease is older than an invalidation of its key', async () => {
    const s = store();
    const lease = leaseOf(await s.claim('k', LOCK_MS));

    await s.invalidate({ kind: 'key', key: 'k' });

    expect(await s.writeFenced('k', entry('late'), lease)).toBe(false);
    expect(await s.read('k')).toBeUndefined();
  });

  it('prunes an index set of the keys whose entries expired when the next key joins it', async () => {
    const s = store();
    const set = s.keys.index('operation', 'op');
    await s.write('live', entry('v'));
    // Members whose entries expired long ago (a score is when the entry expires, in server ms).
    for (let i = 0; i < 20; i++) await client.zadd(set, 1_000 + i, `old${i}`);
    await s.write('new', entry('v'));
    expect((await client.zrange(set, 0, -1)).sort()).toEqual(['live', 'new']);
    // The set lives as long as its longest-lived member.
    expect(await client.pttl(set)).toBeGreaterThan(59_000);
  });

  it('makes an index set persistent while it holds an entry that never expires', async () => {
    const s = store();
    await s.write('forever', { ...entry('v'), freshFor: Infinity, keptFor: Infinity });
    await s.write('short', { ...entry('v'), freshFor: 1_000, keptFor: 1_000 });
    expect(await client.pttl(s.keys.index('operation', 'op'))).toBe(-1);
  });

  it('fences a key an invalidation found indexed before its value was written', async () => {
    const s = store();
    const lease = leaseOf(await s.claim('k', LOCK_MS));
    // As if the writer had indexed the key and stopped before writing its value.
    await client.zadd(s.keys.index('operation', 'op'), '+inf', 'k');
    await s.invalidate({ kind: 'operation', name: 'op' });
    expect(await s.writeFenced('k', entry('late'), lease)).toBe(false);
    expect(await s.read('k')).toBeUndefined();
  });

  it('answers busy to a second claim while the first holds the lock', async () => {
    const s = store();
    expect((await s.claim('k', LOCK_MS)).kind).toBe('lease');

    expect((await s.claim('k', LOCK_MS)).kind).toBe('busy');
  });

  it('gives the next claim a lease once the holder releases the lock', async () => {
    const s = store();
    const lease = leaseOf(await s.claim('k', LOCK_MS));

    await s.release('k', lease);

    expect((await s.claim('k', LOCK_MS)).kind).toBe('lease');
  });

  it('answers a claim on a key holding an entry with that entry', async () => {
    const s = store();
    await s.write('k', entry('there'));

    expect(await s.claim('k', LOCK_MS)).toMatchObject({
      kind: 'entry',
      entry: { value: 'there' },
    });
  });

  it('reads undecodable data as a miss and reports it once', async () => {
    const undecodable = jest.fn();
    const s = store(undecodable);
    await client.set(s.keys.value('k'), 'not an entry');

    expect(await s.read('k')).toBeUndefined();
    expect(undecodable).toHaveBeenCalledTimes(1);
    expect(undecodable).toHaveBeenCalledWith('k', 'corrupt');
  });

  it("clears only its own namespace's keys: another namespace's entry survives", async () => {
    const mine = store();
    const theirs = store();
    await mine.write('k', entry('mine'));
    await theirs.write('k', entry('theirs'));

    expect(await mine.invalidate({ kind: 'all' })).toBe(1);

    expect(await mine.read('k')).toBeUndefined();
    expect(await theirs.read('k')).toMatchObject({ value: 'theirs' });
  });

  it('keeps namespaces that extend one another apart: a, a:b and a:i', async () => {
    const base = `nested${++namespaces}`;
    const [a, ab, ai] = [base, `${base}:b`, `${base}:i`].map((ns) => new RedisStore(client, ns));
    for (const s of [a, ab, ai]) await s.write('k', { ...entry('v'), operation: 'op' });

    expect(await a.invalidate({ kind: 'operation', name: 'op' })).toBe(1);
    expect(await ab.read('k')).toMatchObject({ value: 'v' });
    expect(await ai.read('k')).toMatchObject({ value: 'v' });

    expect(await a.invalidate({ kind: 'all' })).toBe(0);
    expect(await ab.invalidate({ kind: 'all' })).toBe(1);
    expect(await ai.read('k')).toMatchObject({ value: 'v' });
    expect(await ai.invalidate({ kind: 'operation', name: 'op' })).toBe(1);
  });
});
