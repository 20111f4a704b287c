import { Cached, ConfigError, runWithContext, type ExecutionUtils } from '../../src';
import { deferred, rig } from '../helpers';

/** Two operations with tenant-keyed entries, one shared one, and one tagged by project. */
class Projects {
  calls = 0;
  gate: Promise<unknown> | undefined;

  @Cached()
  async get(id: number): Promise<string> {
    const call = ++this.calls;
    if (this.gate) await this.gate;
    return `project-${id}-${call}`;
  }

  @Cached()
  async members(id: number): Promise<string> {
    this.calls++;
    return `members-${id}-${this.calls}`;
  }

  @Cached({ tenant: 'shared' })
  async settings(): Promise<number> {
    return ++this.calls;
  }

  @Cached({ tags: (args, result) => [`project:${String(args[0])}`, `owner:${String(result)}`] })
  async owner(id: number): Promise<string> {
    this.calls++;
    if (this.gate) await this.gate;
    return id % 2 === 0 ? 'ann' : 'bob';
  }
}

const as = <T>(userId: string, fn: () => Promise<T>): Promise<T> => runWithContext({ userId }, fn);

/** Fills the cache: 2 users x (get 1, get 2, members 1), settings, owner 1..4 for user u1. */
async function filled(): Promise<{ utils: ExecutionUtils; p: Projects }> {
  const { utils } = rig();
  const p = new Projects();
  for (const user of ['u1', 'u2']) {
    await as(user, () => p.get(1));
    await as(user, () => p.get(2));
    await as(user, () => p.members(1));
  }
  await p.settings();
  for (const id of [1, 2, 3, 4]) await as('u1', () => p.owner(id));
  return { utils, p };
}

/** How many of `calls` ran the method again (were not served from the cache). */
async function reruns(p: Projects, calls: (() => Promise<unknown>)[]): Promise<number> {
  const before = p.calls;
  for (const call of calls) await call();
  return p.calls - before;
}

describe('invalidate(key)', () => {
  it('drops the one entry under the key and resolves with 1, then 0', async () => {
    const { utils, p } = await filled();
    const key = utils.generateCacheKey('Projects.get', 'u1', '', [1]);
    await expect(utils.invalidate(key)).resolves.toBe(1);
    await expect(utils.invalidate(key)).resolves.toBe(0);
    expect(await reruns(p, [() => as('u1', () => p.get(1))])).toBe(1);
    expect(await reruns(p, [() => as('u1', () => p.get(2)), () => as('u2', () => p.get(1))])).toBe(
      0,
    );
  });

  it('drops an entry added with addToCache', async () => {
    const { utils } = rig();
    utils.addToCache('k', 'v');
    await expect(utils.invalidate('k')).resolves.toBe(1);
    expect(utils.getFromCache('k')).toBeUndefined();
  });
});

describe('invalidateOperation', () => {
  it('drops every entry of that operation, for every tenant, and none of another', async () => {
    const { utils, p } = await filled();
    await expect(utils.invalidateOperation('Projects.get')).resolves.toBe(4);
    expect(await reruns(p, [() => as('u1', () => p.get(1)), () => as('u2', () => p.get(2))])).toBe(
      2,
    );
    expect(await reruns(p, [() => as('u1', () => p.members(1)), () => p.settings()])).toBe(0);
  });

  it('resolves with 0 for an operation that has no entries', async () => {
    const { utils } = await filled();
    await expect(utils.invalidateOperation('Nobody.nothing')).resolves.toBe(0);
  });
});

describe('invalidateTenant', () => {
  it("drops every entry keyed by that user across operations, not another user's or shared ones", async () => {
    const { utils, p } = await filled();
    // u1: get 1, get 2, members 1, owner 1..4.
    await expect(utils.invalidateTenant('u1')).resolves.toBe(7);
    expect(
      await reruns(p, [() => as('u1', () => p.get(1)), () => as('u1', () => p.owner(3))]),
    ).toBe(2);
    expect(
      await reruns(p, [() => as('u2', () => p.get(1)), () => as('u2', () => p.members(1))]),
    ).toBe(0);
    expect(await reruns(p, [() => as('u1', () => p.settings())])).toBe(0);
  });
});

describe('invalidateTags', () => {
  it('drops every entry carrying any of the tags, each counted once', async () => {
    const { utils, p } = await filled();
    // owner 1 and 3 -> bob; owner 2 -> ann and project:2. owner 1 carries both project:1 and bob.
    await expect(utils.invalidateTags(['owner:bob', 'project:1', 'project:2'])).resolves.toBe(3);
    expect(
      await reruns(
        p,
        [1, 2, 3, 4].map((id) => () => as('u1', () => p.owner(id))),
      ),
    ).toBe(3);
  });

  it('keeps a result whose tags function throws out of the cache, and counts it refused', async () => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(async () => ++calls, {
      name: 'throwingTags',
      cache: {
        tags: () => {
          throw new Error('no tags');
        },
      },
    });
    await expect(fn()).resolves.toBe(1);
    await expect(fn()).resolves.toBe(2);
    expect(utils.getStats('throwingTags').refused).toBe(2);
  });

  it.each<[string, unknown]>([
    ['a string', 'tag'],
    ['an array holding a number', ['a', 1]],
    ['undefined', undefined],
  ])('keeps a result out of the cache when tags returns %s', async (_, tags) => {
    const { utils } = rig();
    let calls = 0;
    const fn = utils.wrap(async () => ++calls, {
      name: 'badTags',
      cache: { tags: () => tags as string[] },
    });
    await fn();
    await fn();
    expect(calls).toBe(2);
  });

  it('refuses a tags option that is not a function', () => {
    const { utils } = rig();
    expect(() =>
      utils.wrap(async () => 1, { name: 'x', cache: { tags: ['a'] as unknown as () => string[] } }),
    ).toThrow(ConfigError);
  });
});

describe('invalidation of a load in flight', () => {
  it.each<[string, (utils: ExecutionUtils) => Promise<number>]>([
    ['its key', (u) => u.invalidate(u.generateCacheKey('Projects.get', 'u1', '', [1]))],
    ['its operation', (u) => u.invalidateOperation('Projects.get')],
    ['its tenant', (u) => u.invalidateTenant('u1')],
    ['everything', (u) => u.clearCache().then(() => 0)],
  ])('does not write the older result back when %s is invalidated', async (_, invalidate) => {
    const { utils } = rig();
    const p = new Projects();
    const gate = deferred<void>();
    p.gate = gate.promise;
    const first = as('u1', () => p.get(1));
    await invalidate(utils);
    gate.resolve();
    await expect(first).resolves.toBe('project-1-1');
    p.gate = undefined;
    await expect(as('u1', () => p.get(1))).resolves.toBe('project-1-2');
  });

  it('does not write back a result that gets an invalidated tag', async () => {
    const { utils } = rig();
    const p = new Projects();
    const gate = deferred<void>();
    p.gate = gate.promise;
    const first = as('u1', () => p.owner(2));
    await utils.invalidateTags(['owner:ann']);
    gate.resolve();
    await first;
    p.gate = undefined;
    expect(await reruns(p, [() => as('u1', () => p.owner(2))])).toBe(1);
  });

  it('still caches a load that an unrelated invalidation did not reach', async () => {
    const { utils } = rig();
    const p = new Projects();
    const gate = deferred<void>();
    p.gate = gate.promise;
    const first = as('u1', () => p.get(1));
    await utils.invalidateTenant('u2');
    await utils.invalidateOperation('Projects.members');
    await utils.invalidate('another key');
    gate.resolve();
    await first;
    p.gate = undefined;
    expect(await reruns(p, [() => as('u1', () => p.get(1))])).toBe(0);
  });

  it('makes a caller who comes after the invalidation start fresh work instead of joining', async () => {
    const { utils } = rig();
    const p = new Projects();
    const gate = deferred<void>();
    p.gate = gate.promise;
    const first = as('u1', () => p.get(1));
    await utils.invalidateTenant('u1');
    const second = as('u1', () => p.get(1));
    gate.resolve();
    await expect(first).resolves.toBe('project-1-1');
    await expect(second).resolves.toBe('project-1-2');
  });

  it('lets a caller who comes before the invalidation join the load in flight', async () => {
    const { utils } = rig();
    const p = new Projects();
    const gate = deferred<void>();
    p.gate = gate.promise;
    const first = as('u1', () => p.get(1));
    const second = as('u1', () => p.get(1));
    await utils.invalidateTenant('u1');
    gate.resolve();
    await expect(Promise.all([first, second])).resolves.toEqual(['project-1-1', 'project-1-1']);
    expect(p.calls).toBe(1);
  });
});

describe('invalidation bookkeeping', () => {
  it('counts the entries dropped in `invalidated` and reports each invalidation as an event', async () => {
    const { utils } = await filled();
    const events: unknown[] = [];
    utils.on('invalidated', (e) => events.push(e));
    await utils.invalidateTenant('u2');
    await utils.invalidateOperation('Nobody.nothing');
    expect(utils.getStats().invalidated).toBe(3);
    expect(events).toEqual([
      { kind: 'tenant', dropped: 3, origin: 'local' },
      { kind: 'operation', dropped: 0, origin: 'local' },
    ]);
  });

  it('forgets an evicted entry: invalidating its tenant later counts only what is left', async () => {
    const { utils } = rig({ cacheSize: 2 });
    const p = new Projects();
    for (const id of [1, 2, 3]) await as('u1', () => p.get(id));
    await expect(utils.invalidateTenant('u1')).resolves.toBe(2);
  });

  it('resolves with 0 when caching is off', async () => {
    const { utils } = rig({ cacheSize: 0 });
    await expect(utils.invalidateTenant('u1')).resolves.toBe(0);
  });

  it.each<[string, (u: ExecutionUtils) => unknown]>([
    ['invalidate(42)', (u) => u.invalidate(42 as unknown as string)],
    ['invalidateOperation("")', (u) => u.invalidateOperation('')],
    ['invalidateTenant(undefined)', (u) => u.invalidateTenant(undefined as unknown as string)],
    ['invalidateTags("a")', (u) => u.invalidateTags('a' as unknown as string[])],
    ['invalidateTags([1])', (u) => u.invalidateTags([1] as unknown as string[])],
  ])('throws ConfigError for %s', (_, call) => {
    const { utils } = rig();
    expect(() => call(utils)).toThrow(ConfigError);
  });
});
