import 'reflect-metadata';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import type { ExecutionUtils, ExecutionUtilsOptions } from '../../../src';
import { describeRedis, startRedis, type RedisServer } from './redis-server';
import { Tiers, within } from './tier-fixtures';

// The Redis tier under a burst and under faults: what each call costs, what reaches Redis, and
// that no process waits for a lock nobody will write or release.

let server: RedisServer;
let raw: Redis;
const tiers = new Tiers();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Blocks the event loop for `ms`: a long synchronous task, or a burst being set up. */
function spin(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

/** Keeps Redis busy for `ms` (a script that spins): commands sent meanwhile are answered late. */
function blockRedis(ms: number): Promise<unknown> {
  const script = `local t = redis.call('TIME')
local start = tonumber(t[1]) * 1000000 + tonumber(t[2])
repeat t = redis.call('TIME') until tonumber(t[1]) * 1000000 + tonumber(t[2]) - start >= ${ms * 1000}
return 1`;
  return raw.eval(script, 0);
}

/** How many scripts Redis has run since the last `resetCommandStats`. */
async function scriptsRun(): Promise<number> {
  const info = await raw.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += +match[1];
  return calls;
}

/** Values in Redis under `namespace` (keys `<namespace>:{<key>}:v`). */
async function valuesIn(namespace: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await raw.scan(cursor, 'MATCH', `${namespace}:{*}:v`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

async function locksIn(namespace: string): Promise<string[]> {
  const [, found] = await raw.scan('0', 'MATCH', `${namespace}:{*}:l`, 'COUNT', 10_000);
  return found;
}

/** A service in a namespace of its own: the namespace is `solo<n>` for the count after it. */
function solo(options: ExecutionUtilsOptions): ExecutionUtils {
  return tiers.service({ ...options, namespace: `solo${++tiers.namespaceCount}` });
}

async function up(utils: ExecutionUtils): Promise<void> {
  await within(2_000, async () => (await utils.health()).tiers.redis?.status === 'up');
}

/** A method counting its runs, taking `ms(call)` ms on its call number `call` (from 1). */
function method(utils: ExecutionUtils, name: string, ms: (call: number) => number) {
  let runs = 0;
  const get = utils.wrap(
    async (id: number) => {
      const call = ++runs;
      await sleep(ms(call));
      return `${name}-${id}-run${call}`;
    },
    { name, cache: { ttl: 60_000, tenant: 'shared' } },
  );
  return { get, runs: () => runs };
}

describeRedis('Redis tier under load and faults', () => {
  beforeAll(async () => {
    server = tiers.server = await startRedis();
    raw = new Redis(server.url);
  });

  afterEach(async () => {
    server.resume();
    await tiers.closeAll();
  });

  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });

  it('writes every entry of 2,000 concurrent distinct misses to Redis, in a few scripts, with no remote error', async () => {
    // The default command timeout: the burst must not eat it in a client-side queue.
    const utils = solo({ redis: { url: server.url } });
    const namespace = `solo${tiers.namespaceCount}`;
    const errors: string[] = [];
    utils.on('remoteError', ({ command, reason }) => errors.push(`${command}: ${reason}`));
    await up(utils);
    const { get, runs } = method(utils, 'Burst.get', () => 1);
    await raw.config('RESETSTAT');
    const ids = Array.from({ length: 2_000 }, (_, i) => i);
    const values = await Promise.all(ids.map((id) => get(id)));
    expect(values).toEqual(ids.map((id) => `Burst.get-${id}-run${id + 1}`));
    expect(runs()).toBe(2_000);
    // Writes follow the calls in the background: close() waits for them.
    await utils.close();
    expect(errors).toEqual([]);
    expect(await valuesIn(namespace)).toHaveLength(2_000);
    expect(await locksIn(namespace)).toEqual([]);
    // Claims and writes of one turn travel together (256 keys a script), and each write batch
    // indexes its operation's set in one script: ~8 + ~8 + ~8, against 3 per key one by one.
    expect(await scriptsRun()).toBeLessThanOrEqual(60);
  });

  it('reads a reply that came while the event loop was busy, instead of timing it out', async () => {
    const utils = solo({ redis: { url: server.url, commandTimeout: 30 } });
    const namespace = `solo${tiers.namespaceCount}`;
    const errors: string[] = [];
    utils.on('remoteError', ({ command, reason }) => errors.push(`${command}: ${reason}`));
    await up(utils);
    const { get } = method(utils, 'Busy.get', () => 5);
    const call = get(1);
    // The claim is sent when the turn's synchronous work ends; its reply waits in the socket
    // while the next task holds the loop past the command timeout.
    setImmediate(() => spin(120));
    await expect(call).resolves.toBe('Busy.get-1-run1');
    await utils.close();
    expect(errors).toEqual([]);
    expect(await valuesIn(namespace)).toHaveLength(1);
    expect(await locksIn(namespace)).toEqual([]);
  });

  it('writes through the lock a late reply granted: no other process waits out lock.wait', async () => {
    const [a, b] = tiers.pair({
      redis: { url: server.url, commandTimeout: 30, lock: { ttl: 10_000, wait: 5_000 } },
    });
    const namespace = `pair${tiers.namespaceCount}`;
    const reasons: string[] = [];
    a.on('remoteError', ({ command, reason }) => reasons.push(`${command}: ${reason}`));
    await Promise.all([up(a), up(b)]);
    const inA = method(a, 'Late.get', () => 50);
    const inB = method(b, 'Late.get', () => 50);
    // Redis answers A's claim 150 ms late: A goes on as a miss, but Redis granted it the lock.
    const blocked = blockRedis(150);
    const first = inA.get(1);
    await blocked;
    const started = Date.now();
    await expect(inB.get(1)).resolves.toBe('Late.get-1-run1');
    const waitedMs = Date.now() - started;
    await expect(first).resolves.toBe('Late.get-1-run1');
    expect(reasons).toEqual(['claim: timeout']);
    expect(inA.runs() + inB.runs()).toBe(1);
    expect(waitedMs).toBeLessThan(1_000);
    await within(1_000, async () => (await locksIn(namespace)).length === 0);
  });

  it('sends nothing while the connection is down: a miss costs the method alone, and health() says degraded', async () => {
    // A command timeout and a breaker that would both hide queueing if there were any.
    const utils = solo({
      redis: { url: server.url, commandTimeout: 1_000, breaker: { failures: 1_000 } },
    });
    const errors: { reason: string; error: string }[] = [];
    utils.on('remoteError', ({ reason, error }) => errors.push({ reason, error: String(error) }));
    await up(utils);
    expect((await utils.health()).status).toBe('healthy');
    const { get } = method(utils, 'Down.get', () => 20);
    await server.kill();
    try {
      await within(2_000, async () => (await utils.health()).tiers.redis?.status === 'down');
      const health = await utils.health();
      expect(health.status).toBe('degraded');
      const costs: number[] = [];
      for (let id = 0; id < 5; id++) {
        const started = Date.now();
        await expect(get(id)).resolves.toBe(`Down.get-${id}-run${id + 1}`);
        costs.push(Date.now() - started);
      }
      // A queued command would cost the 1,000 ms timeout (or ioredis's reconnection backoff).
      expect(Math.max(...costs)).toBeLessThan(300);
      expect(errors.length).toBeGreaterThanOrEqual(5);
      for (const { reason, error } of errors) {
        expect(reason).toBe('error');
        // The connection's last error (the reset of the killed server's socket, a refused
        // reconnection, a ready check cut short by the close), or none yet (the tier's own).
        expect(error).toMatch(/ECONNRESET|ECONNREFUSED|max retries per request|connection is down/);
      }
    } finally {
      await server.restart();
    }
    await within(3_000, async () => (await utils.health()).status === 'healthy');
  });

  it('reports a command that runs past commandTimeout as a timeout, in the event and the metric', async () => {
    const registry = new Registry();
    const utils = solo({
      redis: { url: server.url, commandTimeout: 40 },
      metrics: { registry },
    });
    const reasons: string[] = [];
    utils.on('remoteError', ({ reason }) => reasons.push(reason));
    await up(utils);
    const { get } = method(utils, 'Slow.get', () => 1);
    server.pause();
    await expect(get(1)).resolves.toBe('Slow.get-1-run1');
    expect(reasons).toEqual(['timeout']);
    const metric = await registry.getSingleMetric('cache_remote_errors_total')!.get();
    expect(metric.values).toEqual([
      expect.objectContaining({ value: 1, labels: expect.objectContaining({ reason: 'timeout' }) }),
    ]);
  });

  it('after an invalidation reaches a process, a call there starts fresh instead of waiting for its doomed load', async () => {
    const [a, b] = tiers.pair();
    const namespace = `pair${tiers.namespaceCount}`;
    await tiers.subscribed(namespace, 2);
    await Promise.all([up(a), up(b)]);
    // The first run is slow (a load in flight when the data changes); later runs are quick.
    const inB = method(b, 'Doomed.get', (call) => (call === 1 ? 800 : 20));
    const old = inB.get(1);
    await within(1_000, async () => (await locksIn(namespace)).length === 1);
    const received = new Promise<void>((resolve) =>
      b.on('invalidated', ({ origin }) => origin === 'remote' && resolve()),
    );
    await a.invalidateOperation('Doomed.get');
    await received;
    const started = Date.now();
    await expect(inB.get(1)).resolves.toBe('Doomed.get-1-run2');
    expect(Date.now() - started).toBeLessThan(500);
    await expect(old).resolves.toBe('Doomed.get-1-run1');
  });

  it('another process joins no lock of a load an invalidation doomed: the holder lets it go', async () => {
    const [a, b] = tiers.pair();
    const namespace = `pair${tiers.namespaceCount}`;
    await tiers.subscribed(namespace, 2);
    await Promise.all([up(a), up(b)]);
    const inA = method(a, 'Held.get', () => 800);
    const inB = method(b, 'Held.get', () => 20);
    const old = inA.get(1);
    await within(1_000, async () => (await locksIn(namespace)).length === 1);
    await b.invalidateOperation('Held.get');
    // A drops its flight when the message arrives, and with it the lock: B's next poll takes it.
    const started = Date.now();
    await expect(inB.get(1)).resolves.toBe('Held.get-1-run1');
    expect(Date.now() - started).toBeLessThan(500);
    expect(inB.runs()).toBe(1);
    await old;
  });

  it('renews the lock while a load slower than lock.ttl runs: no other process runs it too', async () => {
    const [a, b] = tiers.pair({
      redis: { url: server.url, commandTimeout: 1_000, lock: { ttl: 150, wait: 3_000 } },
    });
    const namespace = `pair${tiers.namespaceCount}`;
    await Promise.all([up(a), up(b)]);
    const inA = method(a, 'Renewed.get', () => 600);
    const inB = method(b, 'Renewed.get', () => 600);
    const first = inA.get(1);
    await within(1_000, async () => (await locksIn(namespace)).length === 1);
    await expect(inB.get(1)).resolves.toBe('Renewed.get-1-run1');
    await expect(first).resolves.toBe('Renewed.get-1-run1');
    expect(inA.runs() + inB.runs()).toBe(1);
    await within(1_000, async () => (await locksIn(namespace)).length === 0);
  });
});
