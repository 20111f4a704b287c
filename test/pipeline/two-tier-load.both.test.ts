import type { CachedOptions } from '../../src/cache/cached-options';
import { Flight, SingleFlight } from '../../src/cache/single-flight';
import { cacheWrite } from '../../src/pipeline/cache-write';
import type { Stage } from '../../src/pipeline/stage';
import { twoTierLoad } from '../../src/pipeline/two-tier-load';
import { FakeRemote, memoryCache, probeRig } from './support';

const KEY = '"k"';
const LEASE = { fence: 7, held: true, token: 'tok' };
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A flight held under KEY by `flights`, as flightLoad makes it, started at `stamp`. */
function flightOf(stamp: number, tenant: string, flights = new SingleFlight()): Flight<unknown> {
  const flight = new Flight<unknown>(false, 'Svc.op', tenant, false, stamp, []);
  flights.track(KEY, flight, new Promise(() => {}), undefined);
  return flight;
}

function setup(next: Stage, options: CachedOptions = {}) {
  const { probe, clock, counters } = probeRig('Svc.op');
  const remote = new FakeRemote();
  remote.claimAnswer = { kind: 'lease', lease: LEASE };
  const cache = memoryCache(clock, remote);
  const write = cacheWrite({ operation: 'Svc.op', options, ttl: 1_000, grace: 0, cache, probe });
  const load = twoTierLoad(next, remote, cache, write, probe);
  return { load, remote, cache, counters };
}

const remoteEntry = {
  value: 'theirs',
  freshFor: 400,
  keptFor: 400,
  operation: 'Svc.op',
  tenant: 'u1',
  tags: [],
};

describe('twoTierLoad', () => {
  it("serves another process's entry without running the method, and counts a remote hit", async () => {
    const next = jest.fn(() => Promise.resolve('mine'));
    const { load, remote, counters } = setup(next);
    remote.claimAnswer = { kind: 'entry', entry: remoteEntry };
    await expect(load(KEY, undefined, [], flightOf(0, 'u1'))).resolves.toBe('theirs');
    expect(next).not.toHaveBeenCalled();
    expect(counters).toMatchObject({ remoteHits: 1, remoteMisses: 0 });
  });

  it.each([
    ['served by the shared tier', true],
    ['loaded here', false],
  ])(
    'counts no remote hit or miss for a background load (its lookup was a hit): %s',
    async (_, served) => {
      const { load, remote, counters } = setup(() => Promise.resolve('mine'));
      if (served) remote.claimAnswer = { kind: 'entry', entry: remoteEntry };
      const flight = flightOf(0, 'u1');
      flight.background = true;
      await load(KEY, undefined, [], flight);
      expect(counters).toMatchObject({ remoteHits: 0, remoteMisses: 0 });
    },
  );

  it('copies the remote entry here for the time it has left', async () => {
    const { load, remote, cache } = setup(() => Promise.resolve('mine'));
    remote.claimAnswer = { kind: 'entry', entry: remoteEntry };
    await load(KEY, undefined, [], flightOf(0, 'u1'));
    expect(cache.local.read(KEY)).toMatchObject({ value: 'theirs', freshFor: 400, tenant: 'u1' });
  });

  it('does not copy a remote entry that an invalidation reached during the load', async () => {
    const { load, remote, cache } = setup(() => Promise.resolve('mine'));
    remote.claimAnswer = { kind: 'entry', entry: remoteEntry };
    const stamp = cache.log.stamp();
    cache.dropLocal({ kind: 'operation', name: 'Svc.op' });
    await expect(load(KEY, undefined, [], flightOf(stamp, 'u1'))).resolves.toBe('theirs');
    expect(cache.local.read(KEY)).toBeUndefined();
  });

  it('asks the shared tier once per load, for the key', async () => {
    const { load, remote } = setup(() => Promise.resolve('mine'));
    await load(KEY, undefined, [], flightOf(0, ''));
    expect(remote.claims).toEqual([KEY]);
  });

  it('runs the method on a lease, counts a remote miss, and writes the value to both tiers', async () => {
    const { load, remote, cache, counters } = setup(() => Promise.resolve('mine'));
    await expect(load(KEY, undefined, [], flightOf(0, 'u1'))).resolves.toBe('mine');
    await flush();
    expect(counters).toMatchObject({ remoteMisses: 1, sets: 1 });
    expect(cache.local.read(KEY)?.value).toBe('mine');
    expect(remote.writes).toEqual([
      { key: KEY, entry: expect.objectContaining({ value: 'mine', tenant: 'u1' }), lease: LEASE },
    ]);
    expect(remote.releases).toEqual([]);
  });

  it('passes the arguments and this to the method', async () => {
    const self = {};
    const next = jest.fn((_t: unknown, _a: unknown[]) => Promise.resolve('mine'));
    const { load } = setup(next);
    await load(KEY, self, [1, 2], flightOf(0, ''));
    expect(next).toHaveBeenCalledWith(self, [1, 2]);
  });

  it('releases the lease without writing when the method fails, and rethrows', async () => {
    const { load, remote } = setup(() => Promise.reject(new Error('down')));
    await expect(load(KEY, undefined, [], flightOf(0, ''))).rejects.toThrow('down');
    await flush();
    expect(remote.writes).toEqual([]);
    expect(remote.releases).toEqual([{ key: KEY, lease: LEASE }]);
  });

  it('releases the lease without writing when the result is not cached', async () => {
    const { load, remote, cache } = setup(() => Promise.resolve(null), {
      cacheIf: (v) => v !== null,
    });
    await expect(load(KEY, undefined, [], flightOf(0, ''))).resolves.toBeNull();
    await flush();
    expect(remote.writes).toEqual([]);
    expect(remote.releases).toEqual([{ key: KEY, lease: LEASE }]);
    expect(cache.local.read(KEY)).toBeUndefined();
  });

  it('releases the lock at once when an invalidation drops the flight, and only once', async () => {
    let finish!: (value: string) => void;
    const { load, remote, cache } = setup(
      () => new Promise<string>((resolve) => (finish = resolve)),
    );
    const done = load(KEY, undefined, [], flightOf(cache.log.stamp(), 'u1', cache.flights));
    await flush();
    expect(remote.releases).toEqual([]);
    cache.dropLocal({ kind: 'key', key: KEY });
    await flush();
    expect(remote.releases).toEqual([{ key: KEY, lease: LEASE }]);
    finish('old');
    await expect(done).resolves.toBe('old');
    await flush();
    expect(remote.releases).toHaveLength(1);
    expect(remote.writes).toEqual([]);
  });

  it('releases the lock it got for a flight dropped while it claimed', async () => {
    const { load, remote } = setup(() => Promise.resolve('mine'));
    const flight = flightOf(0, 'u1');
    flight.tracked = false;
    await load(KEY, undefined, [], flight);
    await flush();
    expect(remote.releases).toEqual([{ key: KEY, lease: LEASE }]);
  });

  it('keeps a lock no invalidation reached until the write takes it', async () => {
    const { load, remote } = setup(() => Promise.resolve('mine'));
    const flight = flightOf(0, 'u1');
    await load(KEY, undefined, [], flight);
    expect(flight.onDropped).toBeUndefined();
    await flush();
    expect(remote.releases).toEqual([]);
    expect(remote.writes).toHaveLength(1);
  });
});
