import { BatchItemsError, Cached, CachedBatch, Retry, runWithContext } from '../../src';
import { deferred, rig } from '../helpers';

/** A user store that records every bulk call it gets. */
class Users {
  calls: string[][] = [];
  singles: string[] = [];

  @Cached({ name: 'user' })
  async get(id: string): Promise<string | undefined> {
    this.singles.push(id);
    return id.startsWith('missing') ? undefined : `user-${id}`;
  }

  @CachedBatch({ name: 'user', ttl: 60_000, maxBatchSize: 3 })
  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    this.calls.push([...ids]);
    return ids.map((id) => (id.startsWith('missing') ? undefined : `user-${id}`));
  }
}

class Prices {
  calls: string[][] = [];

  @CachedBatch({ name: 'price' })
  async bySku(skus: readonly string[], currency: string): Promise<Map<string, string>> {
    this.calls.push([...skus]);
    return new Map(skus.filter((s) => s !== 'gone').map((s) => [s, `${s}:${currency}`]));
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('batchStage (@CachedBatch, wrapBatch)', () => {
  it("answers the caller's ids, duplicates and order included, calling the method for the missing ones only", async () => {
    rig();
    const users = new Users();
    await expect(users.getMany(['a', 'b'])).resolves.toEqual(['user-a', 'user-b']);
    await expect(users.getMany(['c', 'a', 'c', 'b'])).resolves.toEqual([
      'user-c',
      'user-a',
      'user-c',
      'user-b',
    ]);
    expect(users.calls).toEqual([['a', 'b'], ['c']]);
  });

  it('splits more missing ids than maxBatchSize into several calls', async () => {
    rig();
    const users = new Users();
    const ids = ['1', '2', '3', '4', '5', '6', '7'];
    await expect(users.getMany(ids)).resolves.toEqual(ids.map((id) => `user-${id}`));
    expect(users.calls).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
  });

  it('merges the calls of one turn into one method call with the union of their missing ids', async () => {
    const { utils } = rig();
    const users = new Users();
    await users.getMany(['a']);
    const answers = await Promise.all([
      users.getMany(['a', 'b']),
      users.getMany(['b', 'c']),
      users.getMany(['d']),
    ]);
    expect(answers).toEqual([['user-a', 'user-b'], ['user-b', 'user-c'], ['user-d']]);
    expect(users.calls).toEqual([['a'], ['b', 'c', 'd']]);
    expect(utils.getStats('user')).toMatchObject({ batches: 2, batchItems: 4 });
  });

  it('10,000 concurrent single-id callers in one tick make ceil(10,000 / maxBatchSize) calls', async () => {
    rig();
    const users = new Users();
    const ids = Array.from({ length: 10_000 }, (_, i) => `u${i}`);
    const answers = await Promise.all(ids.map((id) => users.getMany([id])));
    expect(answers.map(([value]) => value)).toEqual(ids.map((id) => `user-${id}`));
    expect(users.calls).toHaveLength(Math.ceil(10_000 / 3));
  });

  it('takes 10,000 ids in one call', async () => {
    rig();
    const users = new Users();
    const ids = Array.from({ length: 10_000 }, (_, i) => `u${i}`);
    const values = await users.getMany(ids);
    expect(values).toHaveLength(10_000);
    expect(values[9_999]).toBe('user-u9999');
    expect(users.calls.flat()).toEqual(ids);
  });

  it('shares entries with a @Cached method of the same name, both ways', async () => {
    rig();
    const users = new Users();
    await users.get('a');
    await expect(users.getMany(['a', 'b'])).resolves.toEqual(['user-a', 'user-b']);
    expect(users.calls).toEqual([['b']]);
    await expect(users.get('b')).resolves.toBe('user-b');
    expect(users.singles).toEqual(['a']);
  });

  it('joins an id a single @Cached call is loading, and a single call joins a batch', async () => {
    rig();
    const users = new Users();
    const [single, batch] = await Promise.all([users.get('a'), users.getMany(['a', 'b'])]);
    expect([single, batch]).toEqual(['user-a', ['user-a', 'user-b']]);
    expect(users.singles).toEqual(['a']);
    expect(users.calls).toEqual([['b']]);
    const [many, one] = await Promise.all([users.getMany(['c']), users.get('c')]);
    expect([many, one]).toEqual([['user-c'], 'user-c']);
    expect(users.singles).toEqual(['a']);
  });

  it('answers a Map method with a Map of the caller ids, an id the result lacks absent', async () => {
    rig();
    const prices = new Prices();
    const first = await prices.bySku(['x', 'gone'], 'EUR');
    expect(first).toEqual(new Map([['x', 'x:EUR']]));
    // The missing id was cached as missing: not asked for again.
    const second = await prices.bySku(['gone', 'x', 'y'], 'EUR');
    expect(second).toEqual(
      new Map([
        ['x', 'x:EUR'],
        ['y', 'y:EUR'],
      ]),
    );
    expect(prices.calls).toEqual([['x', 'gone'], ['y']]);
  });

  it('keys items by the other arguments too: each currency is its own batch and entry', async () => {
    rig();
    const prices = new Prices();
    const [eur, usd] = await Promise.all([prices.bySku(['x'], 'EUR'), prices.bySku(['x'], 'USD')]);
    expect([eur.get('x'), usd.get('x')]).toEqual(['x:EUR', 'x:USD']);
    expect(prices.calls).toEqual([['x'], ['x']]);
  });

  it('caches a missing item as undefined, unless cacheMissing is false', async () => {
    const { utils } = rig();
    const users = new Users();
    await expect(users.getMany(['missing-1'])).resolves.toEqual([undefined]);
    await users.getMany(['missing-1']);
    expect(users.calls).toEqual([['missing-1']]);
    const strict = utils.wrapBatch(async (ids: readonly string[]) => ids.map(() => undefined), {
      name: 'strict',
      cacheMissing: false,
    });
    const runs = jest.fn(strict);
    await runs(['z']);
    await runs(['z']);
    expect(utils.getStats('strict')).toMatchObject({ batches: 2, sets: 0 });
  });

  it('keeps tenants apart', async () => {
    rig();
    const users = new Users();
    await runWithContext({ userId: 't1' }, () => users.getMany(['a']));
    await runWithContext({ userId: 't2' }, () => users.getMany(['a']));
    await runWithContext({ userId: 't1' }, () => users.getMany(['a']));
    expect(users.calls).toEqual([['a'], ['a']]);
  });

  it('fails only the ids whose position holds an Error; the rest are cached and served', async () => {
    const { utils } = rig();
    let calls = 0;
    const broken = new Error('row 2 is corrupt');
    const load = utils.wrapBatch(
      async (ids: readonly number[]) => {
        calls++;
        return ids.map((id) => (id === 2 ? broken : `row-${id}`));
      },
      { name: 'rows' },
    );
    const [withBad, withoutBad] = await Promise.allSettled([load([1, 2, 3]), load([3, 1])]);
    expect(withoutBad).toEqual({ status: 'fulfilled', value: ['row-3', 'row-1'] });
    expect(withBad.status).toBe('rejected');
    const error = (withBad as PromiseRejectedResult).reason as BatchItemsError;
    expect(error).toBeInstanceOf(BatchItemsError);
    expect(error.failures).toEqual([{ id: 2, error: broken }]);
    expect(error.operation).toBe('rows');
    await expect(load([1, 3])).resolves.toEqual(['row-1', 'row-3']);
    expect(calls).toBe(1);
  });

  it('fails every id of a call whose array has the wrong length, never a shifted answer', async () => {
    const { utils } = rig();
    const load = utils.wrapBatch(async (ids: readonly number[]) => ids.slice(1), { name: 'short' });
    await expect(load([1, 2])).rejects.toThrow(/returned 1 items for 2 ids/);
    expect(utils.getStats('short').sets).toBe(0);
  });

  it('rejects, naming the operation, when the method returns neither an array nor a Map', async () => {
    const { utils } = rig();
    const load = utils.wrapBatch(
      (async () => ({ a: 1 })) as unknown as (ids: readonly string[]) => Promise<string[]>,
      { name: 'odd' },
    );
    await expect(load(['a'])).rejects.toThrow(/odd: @CachedBatch method returned object/);
  });

  it('retries a rejected batch as one call with @Retry, and fails all its ids when it gives up', async () => {
    rig();
    class Flaky {
      calls = 0;

      @CachedBatch({ name: 'flaky' })
      @Retry({ attempts: 2 })
      async load(ids: readonly number[]): Promise<number[]> {
        if (++this.calls === 1) throw new Error('blip');
        return ids.map((id) => id * 10);
      }
    }
    const flaky = new Flaky();
    await expect(flaky.load([1, 2])).resolves.toEqual([10, 20]);
    expect(flaky.calls).toBe(2);
    class Down {
      @CachedBatch({ name: 'down' })
      async load(_ids: readonly number[]): Promise<number[]> {
        throw new Error('db down');
      }
    }
    await expect(new Down().load([1, 2])).rejects.toThrow('db down');
  });

  it('resolves an empty id list at once without calling the method', async () => {
    rig();
    const users = new Users();
    await expect(users.getMany([])).resolves.toEqual([]);
    expect(users.calls).toEqual([]);
    const prices = new Prices();
    await prices.bySku(['x'], 'EUR');
    await expect(prices.bySku([], 'EUR')).resolves.toEqual(new Map());
  });

  it('does not write back items an invalidation reached while their batch ran', async () => {
    const { utils } = rig();
    const gate = deferred<void>();
    let calls = 0;
    const load = utils.wrapBatch(
      async (ids: readonly string[]) => {
        calls++;
        await gate.promise;
        return ids.map((id) => `${id}-v${calls}`);
      },
      { name: 'doc' },
    );
    const first = load(['a']);
    await turn();
    await utils.invalidateOperation('doc');
    gate.resolve();
    await expect(first).resolves.toEqual(['a-v1']);
    await expect(load(['a'])).resolves.toEqual(['a-v2']);
  });

  it("keeps each caller's own abort: one leaving does not cancel ids others wait for", async () => {
    rig();
    const gate = deferred<void>();
    class Slow {
      @CachedBatch({ name: 'slow' })
      async load(ids: readonly string[]): Promise<string[]> {
        await gate.promise;
        return ids.map((id) => `${id}!`);
      }
    }
    const slow = new Slow();
    const controller = new AbortController();
    const leaving = runWithContext({ signal: controller.signal }, () => slow.load(['a']));
    const staying = slow.load(['a', 'b']);
    await turn();
    controller.abort(new Error('gone'));
    await expect(leaving).rejects.toThrow('gone');
    gate.resolve();
    await expect(staying).resolves.toEqual(['a!', 'b!']);
  });

  it('runs a call uncached when an id cannot be keyed', async () => {
    const { utils } = rig();
    const load = utils.wrapBatch(async (ids: readonly unknown[]) => ids.map(() => 'v'), {
      name: 'odd-ids',
    });
    await expect(load([Symbol('x')])).resolves.toEqual(['v']);
    expect(utils.getStats('odd-ids')).toMatchObject({ uncached: 1, batches: 0 });
  });

  it('counts each item as a lookup and emits one batch event per method call', async () => {
    const { utils } = rig();
    const users = new Users();
    const sizes: number[] = [];
    utils.on('batch', ({ size }) => sizes.push(size));
    await users.getMany(['a', 'b', 'c', 'd']);
    await users.getMany(['a', 'e']);
    expect(sizes).toEqual([3, 1, 1]);
    expect(utils.getStats('user')).toMatchObject({
      hits: 1,
      misses: 5,
      batches: 3,
      batchItems: 5,
    });
  });

  it('waits batchWindow ms to collect ids when asked to', async () => {
    const { utils, clock } = rig();
    const calls: string[][] = [];
    const load = utils.wrapBatch(
      async (ids: readonly string[]) => {
        calls.push([...ids]);
        return ids;
      },
      { name: 'windowed', batchWindow: 10 },
    );
    const first = load(['a']);
    await turn();
    const second = load(['b']);
    await turn();
    expect(calls).toEqual([]);
    await clock.advance(10);
    await expect(Promise.all([first, second])).resolves.toEqual([['a'], ['b']]);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('works without a cache (cacheSize 0): every call goes to the method', async () => {
    rig({ cacheSize: 0 });
    const users = new Users();
    await users.getMany(['a']);
    await users.getMany(['a']);
    expect(users.calls).toEqual([['a'], ['a']]);
  });

  it('serves an item within staleWhileRevalidate at once and refreshes it in a batch of its own', async () => {
    const { utils, clock } = rig();
    let version = 1;
    const calls: string[][] = [];
    const load = utils.wrapBatch(
      async (ids: readonly string[]) => {
        calls.push([...ids]);
        return ids.map((id) => `${id}-v${version}`);
      },
      { name: 'swr', ttl: 1_000, staleWhileRevalidate: 5_000 },
    );
    await load(['a', 'b']);
    await clock.advance(1_500);
    version = 2;
    // 'a' and 'b' are stale: served at once; 'c' is missing: loaded.
    await expect(load(['a', 'c'])).resolves.toEqual(['a-v1', 'c-v2']);
    await turn();
    expect(calls).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
    await expect(load(['a'])).resolves.toEqual(['a-v2']);
    expect(utils.getStats('swr')).toMatchObject({ staleHits: 1 });
  });

  it('serves an item within staleIfError instead of its failure, and fails the others', async () => {
    const { utils, clock } = rig();
    let failing = false;
    const load = utils.wrapBatch(
      async (ids: readonly string[]) => {
        if (failing) throw new Error('db down');
        return ids.map((id) => `${id}-ok`);
      },
      { name: 'sie', ttl: 1_000, staleIfError: 5_000 },
    );
    await load(['a']);
    await clock.advance(2_000);
    failing = true;
    await expect(load(['a'])).resolves.toEqual(['a-ok']);
    // Per item: 'a' has a stale value to fall back to, 'b' has none, and its failure is the call's.
    await expect(load(['a', 'b'])).rejects.toThrow('db down');
    expect(utils.getStats('sie').staleIfError).toBe(2);
    await clock.advance(5_000);
    await expect(load(['a'])).rejects.toThrow('db down');
  });

  it("does not serve a stale item in place of the caller's own abort", async () => {
    const { utils, clock } = rig();
    const gate = deferred<void>();
    let calls = 0;
    const load = utils.wrapBatch(
      async (ids: readonly string[]) => {
        if (++calls > 1) await gate.promise;
        return ids.map((id) => `${id}-${calls}`);
      },
      { name: 'sie-abort', ttl: 1_000, staleIfError: 5_000 },
    );
    await load(['a']);
    await clock.advance(2_000);
    const controller = new AbortController();
    const call = runWithContext({ signal: controller.signal }, () => load(['a']));
    await turn();
    controller.abort(new Error('left'));
    await expect(call).rejects.toThrow('left');
    gate.resolve();
  });

  it('applies ttl(value), cacheIf(value) and tags(id, value) per item; addToCache and invalidate(key) reach items', async () => {
    const { utils, clock } = rig();
    const calls: string[][] = [];
    const load = utils.wrapBatch(
      async (ids: readonly string[]) => {
        calls.push([...ids]);
        return ids.map((id) => (id === 'skip' ? null : `${id}!`));
      },
      {
        name: 'opts',
        ttl: (value) => (value === 'short!' ? 100 : 10_000),
        cacheIf: (value) => value !== null,
        tags: (id) => [`tag:${String(id)}`],
      },
    );
    await load(['short', 'long', 'skip']);
    await clock.advance(200);
    await load(['short', 'long', 'skip']);
    // 'short' expired after its own TTL, 'skip' was never cached, 'long' was a hit.
    expect(calls).toEqual([
      ['short', 'long', 'skip'],
      ['short', 'skip'],
    ]);
    await utils.invalidateTags(['tag:long']);
    await load(['long']);
    expect(calls[2]).toEqual(['long']);
    const key = utils.generateCacheKey('opts', '', '', ['given']);
    utils.addToCache(key, 'from addToCache');
    await expect(load(['given'])).resolves.toEqual(['from addToCache']);
    await utils.invalidate(key);
    await expect(load(['given'])).resolves.toEqual(['given!']);
  });
});
