import type { CacheEntry, CacheStore, Invalidation } from '../../src/cache/store';

/**
 * What every cache tier answers the same way, whatever it keeps entries in. A store's suite calls
 * `storeContract` with a factory; each test gets a fresh, empty store from it.
 *
 * Stores may answer synchronously or with promises, so every answer is awaited. `advance(ms)`
 * moves the store's time: a manual clock for the in-process tier, a real wait for Redis, which is
 * why the expiry tests use TTLs of tens of milliseconds and there are only two of them.
 */

export interface ContractSubject {
  readonly store: CacheStore;
  /** Lets `ms` of the store's time pass. */
  readonly advance: (ms: number) => Promise<void>;
  /** Runs after each test (close connections, drop what the test wrote). */
  readonly cleanup?: () => Promise<void>;
}

/** Long enough that no test outlives it, short enough to be a real TTL (not "never"). */
const LONG_MS = 60_000;
/** An expiry test's TTL, and how long it waits past it: Redis waits for real. */
const SHORT_MS = 40;
const PAST_SHORT_MS = 70;

/** A fresh entry without a stale window, labelled as `labels` say. */
function entry(value: unknown, labels: Partial<Omit<CacheEntry, 'value'>> = {}): CacheEntry {
  return {
    value,
    freshFor: LONG_MS,
    keptFor: labels.freshFor ?? LONG_MS,
    operation: 'op',
    tenant: '',
    tags: [],
    ...labels,
  };
}

export function storeContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`${name} store contract`, () => {
    let subject: ContractSubject;
    let store: CacheStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.cleanup?.();
    });

    const write = async (key: string, written: CacheEntry): Promise<void> => {
      await store.write(key, written);
    };
    const read = async (key: string): Promise<CacheEntry | undefined> => store.read(key);
    const invalidate = async (what: Invalidation): Promise<number> => store.invalidate(what);
    /** Which of `keys` still read as an entry. */
    const present = async (...keys: string[]): Promise<string[]> => {
      const found: string[] = [];
      for (const key of keys) if ((await read(key)) !== undefined) found.push(key);
      return found;
    };

    it('reads a key never written as undefined', async () => {
      expect(await read('never-written')).toBeUndefined();
    });

    it('reads a written entry back with its value, operation, tenant and tags', async () => {
      await write(
        'k',
        entry(
          { id: 7, names: ['a', 'b'] },
          { operation: 'Users.get', tenant: 'u1', tags: ['users', 'u1'] },
        ),
      );

      expect(await read('k')).toMatchObject({
        value: { id: 7, names: ['a', 'b'] },
        operation: 'Users.get',
        tenant: 'u1',
        tags: ['users', 'u1'],
      });
    });

    it.each<[string, unknown]>([
      ['undefined', undefined],
      ['null', null],
      ['0', 0],
      ["''", ''],
      ['false', false],
    ])('round-trips a cached %s as a value, not a miss', async (_, value) => {
      await write('k', entry(value));

      const found = await read('k');
      expect(found).not.toBeUndefined();
      expect(found?.value).toBe(value);
      expect(Object.hasOwn(found ?? {}, 'value')).toBe(true);
    });

    it('reports a freshFor above 0 and no more than was written, shortly after the write', async () => {
      await write('k', entry('v', { freshFor: 10_000, keptFor: 10_000 }));

      const found = await read('k');
      expect(found?.freshFor).toBeGreaterThan(0);
      expect(found?.freshFor).toBeLessThanOrEqual(10_000);
      expect(found?.keptFor).toBeGreaterThanOrEqual(found?.freshFor ?? Infinity);
    });

    it('drops an entry without a stale window once its freshFor has passed', async () => {
      await write('k', entry('v', { freshFor: SHORT_MS, keptFor: SHORT_MS }));

      await subject.advance(PAST_SHORT_MS);

      expect(await read('k')).toBeUndefined();
    });

    it('keeps an entry written with an Infinity freshFor, and reads it as never expiring', async () => {
      await write('k', entry('v', { freshFor: Infinity, keptFor: Infinity }));

      await subject.advance(PAST_SHORT_MS);

      expect(await read('k')).toMatchObject({ value: 'v', freshFor: Infinity, keptFor: Infinity });
    });

    it('replaces the entry, value and labels, when a key is written again', async () => {
      await write('k', entry(1, { operation: 'old', tenant: 't-old', tags: ['x'] }));
      await write('k', entry(2, { operation: 'new', tenant: 't-new', tags: ['y'] }));

      expect(await read('k')).toMatchObject({
        value: 2,
        operation: 'new',
        tenant: 't-new',
        tags: ['y'],
      });
    });

    it('invalidates one key: counts 1, then 0 once it is gone, and drops no other key', async () => {
      await write('a', entry(1));
      await write('b', entry(2));

      expect(await invalidate({ kind: 'key', key: 'a' })).toBe(1);
      expect(await invalidate({ kind: 'key', key: 'a' })).toBe(0);
      expect(await present('a', 'b')).toEqual(['b']);
    });

    it('invalidates every entry of an operation, none of other operations, and counts them', async () => {
      await write('a1', entry(1, { operation: 'A' }));
      await write('a2', entry(2, { operation: 'A', tenant: 't' }));
      await write('b1', entry(3, { operation: 'B' }));

      expect(await invalidate({ kind: 'operation', name: 'A' })).toBe(2);
      expect(await present('a1', 'a2', 'b1')).toEqual(['b1']);
    });

    it("invalidates a tenant's entries across operations, not shared entries nor other tenants'", async () => {
      await write('t1-a', entry(1, { operation: 'A', tenant: 't1' }));
      await write('t1-b', entry(2, { operation: 'B', tenant: 't1' }));
      await write('shared', entry(3, { operation: 'A', tenant: '' }));
      await write('t2-a', entry(4, { operation: 'A', tenant: 't2' }));

      expect(await invalidate({ kind: 'tenant', id: 't1' })).toBe(2);
      expect(await present('t1-a', 't1-b', 'shared', 't2-a')).toEqual(['shared', 't2-a']);
    });

    it('invalidates the entries carrying any of the tags, counting each entry once', async () => {
      await write('ab', entry(1, { tags: ['a', 'b'] }));
      await write('b', entry(2, { tags: ['b'] }));
      await write('c', entry(3, { tags: ['c'] }));
      await write('none', entry(4));

      expect(await invalidate({ kind: 'tags', tags: ['a', 'b'] })).toBe(2);
      expect(await present('ab', 'b', 'c', 'none')).toEqual(['c', 'none']);
    });

    it('invalidates everything and counts the entries', async () => {
      await write('a', entry(1, { operation: 'A', tenant: 't', tags: ['x'] }));
      await write('b', entry(2, { operation: 'B' }));
      await write('c', entry(3, { freshFor: Infinity, keptFor: Infinity }));

      expect(await invalidate({ kind: 'all' })).toBe(3);
      expect(await present('a', 'b', 'c')).toEqual([]);
    });

    it.each<[string, Invalidation]>([
      ['operation', { kind: 'operation', name: 'old' }],
      ['tenant', { kind: 'tenant', id: 't-old' }],
      ['tag', { kind: 'tags', tags: ['old-tag'] }],
    ])('does not drop an entry rewritten under other labels by its old %s', async (_, what) => {
      await write('k', entry(1, { operation: 'old', tenant: 't-old', tags: ['old-tag'] }));
      await write('k', entry(2, { operation: 'new', tenant: 't-new', tags: ['new-tag'] }));

      expect(await invalidate(what)).toBe(0);
      expect(await read('k')).toMatchObject({ value: 2 });
    });

    it.each<[string, string]>([
      ['braces', '{a}b}{'],
      ['quotes', `"it's" \`quoted\``],
      ['spaces', '  a key with spaces  '],
      ['unicode', 'ключ-鍵-🔑-é'],
      ['600 characters', 'k'.repeat(600)],
      ['what a namespaced key looks like', 'ns:{k}:v'],
    ])('stores, reads and invalidates a key with %s', async (_, key) => {
      await write(key, entry(key));
      await write('plain', entry('plain'));

      expect(await read(key)).toMatchObject({ value: key });
      expect(await invalidate({ kind: 'key', key })).toBe(1);
      expect(await present(key, 'plain')).toEqual(['plain']);
    });

    it.each<[string, Invalidation, CacheEntry, CacheEntry]>([
      [
        'tenant a*',
        { kind: 'tenant', id: 'a*' },
        entry(1, { tenant: 'a*' }),
        entry(2, { tenant: 'ab' }),
      ],
      [
        'tenant a:b',
        { kind: 'tenant', id: 'a:b' },
        entry(1, { tenant: 'a:b' }),
        entry(2, { tenant: 'a' }),
      ],
      [
        'operation o*',
        { kind: 'operation', name: 'o*' },
        entry(1, { operation: 'o*' }),
        entry(2, { operation: 'op' }),
      ],
      [
        'operation a:o:b',
        { kind: 'operation', name: 'a:o:b' },
        entry(1, { operation: 'a:o:b' }),
        entry(2, { operation: 'a' }),
      ],
      [
        'tag *',
        { kind: 'tags', tags: ['*'] },
        entry(1, { tags: ['*'] }),
        entry(2, { tags: ['x'] }),
      ],
      [
        'tag x:*',
        { kind: 'tags', tags: ['x:*'] },
        entry(1, { tags: ['x:*'] }),
        entry(2, { tags: ['x:y'] }),
      ],
      [
        'tenant named like a tag',
        { kind: 'tenant', id: 'n' },
        entry(1, { tenant: 'n' }),
        entry(2, { tags: ['n'] }),
      ],
      [
        'tag named like a tenant',
        { kind: 'tags', tags: ['n'] },
        entry(1, { tags: ['n'] }),
        entry(2, { tenant: 'n' }),
      ],
      [
        'operation named like a tenant',
        { kind: 'operation', name: 'n' },
        entry(1, { operation: 'n' }),
        entry(2, { tenant: 'n' }),
      ],
      [
        'tenant with quotes, a backslash and unicode',
        { kind: 'tenant', id: 'ü "q" \\ 🔑' },
        entry(1, { tenant: 'ü "q" \\ 🔑' }),
        entry(2, { tenant: 'ü' }),
      ],
      [
        'tag that looks like an envelope field',
        { kind: 'tags', tags: [',"d":'] },
        entry(1, { tags: [',"d":'] }),
        entry(2, { tags: ['d'] }),
      ],
    ])('invalidating %s drops its entry and reaches no other', async (_, what, hit, other) => {
      await write('hit', hit);
      await write('other', other);

      expect(await invalidate(what)).toBe(1);
      expect(await present('hit', 'other')).toEqual(['other']);
    });
  });
}
