import type { CacheEntry } from '../../src/cache/store';
import { currentSignal, runWithContext } from '../../src/context';
import { PendingBatch, type BatchCollectorConfig } from '../../src/pipeline/batch-collector';
import type { Stage } from '../../src/pipeline/stage';
import { FakeRemote, memoryCache, probeRig } from './support';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(next: Stage, overrides: Partial<BatchCollectorConfig> = {}, remote?: FakeRemote) {
  const { probe, clock, counters } = probeRig('Svc.many');
  const cache = memoryCache(clock, remote);
  const written: string[] = [];
  const config: BatchCollectorConfig = {
    operation: 'Svc.many',
    cache,
    write: (key, value) => {
      written.push(`${key}=${String(value)}`);
      const entry: CacheEntry = {
        value,
        freshFor: 1_000,
        keptFor: 1_000,
        operation: 'Svc.many',
        tenant: '',
        tags: [],
      };
      return remote ? entry : undefined;
    },
    probe,
    clock,
    maxBatchSize: 2,
    batchWindow: 0,
    cacheMissing: true,
    tagged: false,
    onShape: () => {},
    itemErrors: new WeakSet(),
    ...overrides,
  };
  const flushed: number[] = [];
  const batch = new PendingBatch(config, next, undefined, ['EUR'], '', () => flushed.push(1));
  return { batch, cache, written, counters, flushed, clock };
}

describe('PendingBatch', () => {
  it('calls the method at the end of the turn, in chunks of maxBatchSize, with the rest arguments', async () => {
    const calls: unknown[][] = [];
    const { batch, flushed, counters } = setup((_t, args) => {
      calls.push(args);
      return Promise.resolve((args[0] as string[]).map((id) => id.toUpperCase()));
    });
    const flights = ['a', 'b', 'c'].map((id) => batch.add(id, `"k-${id}"`));
    expect(calls).toEqual([]);
    await turn();
    expect(flushed).toEqual([1]);
    expect(calls).toEqual([
      [['a', 'b'], 'EUR'],
      [['c'], 'EUR'],
    ]);
    await expect(Promise.all(flights.map((f) => f.join(undefined)))).resolves.toEqual([
      'A',
      'B',
      'C',
    ]);
    expect(counters).toMatchObject({ batches: 2, batchItems: 3 });
  });

  it('registers each id as a flight at once, so a caller of the same key joins it', () => {
    const { batch, cache } = setup(() => Promise.resolve(['x']));
    const flight = batch.add('a', '"k-a"');
    expect(cache.flights.get('"k-a"')).toBe(flight);
  });

  it("runs the method outside every caller's signal", async () => {
    let seen: AbortSignal | undefined;
    const controller = new AbortController();
    const { batch } = setup(() => {
      seen = currentSignal();
      return Promise.resolve(['x']);
    });
    runWithContext({ signal: controller.signal }, () => batch.add('a', '"k-a"'));
    await turn();
    expect(seen).toBeUndefined();
  });

  it('caches each value it loads, a missing one too unless cacheMissing is false', async () => {
    const first = setup(() => Promise.resolve([undefined, 'B']));
    first.batch.add('a', '"k-a"');
    first.batch.add('b', '"k-b"');
    await turn();
    await turn();
    expect(first.written).toEqual(['"k-a"=undefined', '"k-b"=B']);
    const strict = setup(() => Promise.resolve([undefined, 'B']), { cacheMissing: false });
    strict.batch.add('a', '"k-a"');
    strict.batch.add('b', '"k-b"');
    await turn();
    await turn();
    expect(strict.written).toEqual(['"k-b"=B']);
  });

  it('waits batchWindow ms on the clock before calling the method', async () => {
    const calls: unknown[] = [];
    const { batch, clock } = setup(
      (_t, args) => {
        calls.push(args[0]);
        return Promise.resolve(['x']);
      },
      { batchWindow: 25 },
    );
    batch.add('a', '"k-a"');
    await turn();
    expect(calls).toEqual([]);
    await clock.advance(25);
    expect(calls).toEqual([['a']]);
  });

  it('with a shared tier: claims every id, serves what another process cached, loads the rest through its lease', async () => {
    const remote = new FakeRemote();
    const calls: unknown[] = [];
    const { batch, cache } = setup(
      (_t, args) => {
        calls.push(args[0]);
        return Promise.resolve(['mine']);
      },
      {},
      remote,
    );
    const theirs: CacheEntry = {
      value: 'theirs',
      freshFor: 500,
      keptFor: 500,
      operation: 'Svc.many',
      tenant: '',
      tags: [],
    };
    const answers = new Map<string, typeof remote.claimAnswer>([
      ['"k-a"', { kind: 'entry', entry: theirs }],
      ['"k-b"', { kind: 'lease', lease: { fence: 1, held: true, token: 't' } }],
    ]);
    remote.claim = (key: string) => Promise.resolve(answers.get(key)!);
    const a = batch.add('a', '"k-a"');
    const b = batch.add('b', '"k-b"');
    await expect(Promise.all([a.join(undefined), b.join(undefined)])).resolves.toEqual([
      'theirs',
      'mine',
    ]);
    expect(calls).toEqual([['b']]);
    expect(cache.local.read('"k-a"')?.value).toBe('theirs');
    await turn();
    expect(remote.writes.map((w) => [w.key, w.entry.value])).toEqual([['"k-b"', 'mine']]);
  });

  it("lets an item's lock go when an invalidation drops it while the batch runs, and writes nothing", async () => {
    const remote = new FakeRemote();
    let finish!: (values: string[]) => void;
    const { batch, cache } = setup(
      () => new Promise<string[]>((resolve) => (finish = resolve)),
      {},
      remote,
    );
    const flight = batch.add('a', '"k-a"');
    await turn();
    expect(remote.releases).toEqual([]);
    cache.dropLocal({ kind: 'key', key: '"k-a"' });
    expect(remote.releases).toHaveLength(1);
    finish(['old']);
    await expect(flight.join(undefined)).resolves.toBe('old');
    await turn();
    expect(remote.releases).toHaveLength(1);
    expect(remote.writes).toEqual([]);
  });
});
