import { Flight, SingleFlight } from '../../src/cache/single-flight';
import { deferred } from '../helpers';

/** A flight of operation Repo.get for tenant u1, started with `work` (its first caller can leave when cancellable). */
function started(work: Promise<string>, cancellable = true, tagged = false) {
  const flights = new SingleFlight();
  const flight = new Flight<string>(cancellable, 'Repo.get', 'u1', tagged, 0, []);
  const saved: string[] = [];
  flights.track('k', flight, work, (_key, value) => void saved.push(value));
  return { flights, flight, saved };
}

describe('SingleFlight', () => {
  it('holds a flight under its key until it settles, then frees the key and saves the value', async () => {
    const work = deferred<string>();
    const { flights, flight, saved } = started(work.promise);
    expect(flights.get('k')).toBe(flight);
    expect(flights.size).toBe(1);
    work.resolve('v');
    await expect(flight.join(undefined)).resolves.toBe('v');
    expect(flights.get('k')).toBeUndefined();
    expect(saved).toEqual(['v']);
  });

  it('frees the key on a rejection and saves nothing', async () => {
    const work = deferred<string>();
    const { flights, flight, saved } = started(work.promise);
    work.reject(new Error('down'));
    await expect(flight.join(undefined)).rejects.toThrow('down');
    expect(flights.size).toBe(0);
    expect(saved).toEqual([]);
  });

  it('drops the flight of one key, leaving others', () => {
    const { flights } = started(new Promise(() => {}));
    flights.drop({ kind: 'key', key: 'other' });
    expect(flights.size).toBe(1);
    flights.drop({ kind: 'key', key: 'k' });
    expect(flights.size).toBe(0);
  });

  it('drops flights by operation and by tenant', () => {
    const a = started(new Promise(() => {}));
    a.flights.drop({ kind: 'operation', name: 'Other.op' });
    a.flights.drop({ kind: 'tenant', id: 'u2' });
    expect(a.flights.size).toBe(1);
    a.flights.drop({ kind: 'operation', name: 'Repo.get' });
    expect(a.flights.size).toBe(0);
    const b = started(new Promise(() => {}));
    b.flights.drop({ kind: 'tenant', id: 'u1' });
    expect(b.flights.size).toBe(0);
  });

  it('drops on any tag invalidation only the flights whose entries get tags', () => {
    const untagged = started(new Promise(() => {}), true, false);
    untagged.flights.drop({ kind: 'tags', tags: ['t'] });
    expect(untagged.flights.size).toBe(1);
    const tagged = started(new Promise(() => {}), true, true);
    tagged.flights.drop({ kind: 'tags', tags: ['t'] });
    expect(tagged.flights.size).toBe(0);
  });

  it('drops every flight for all', () => {
    const { flights } = started(new Promise(() => {}));
    flights.drop({ kind: 'all' });
    expect(flights.size).toBe(0);
  });

  it('does not let a dropped flight free the key a newer flight holds', async () => {
    const old = deferred<string>();
    const { flights } = started(old.promise);
    flights.drop({ kind: 'key', key: 'k' });
    const newer = new Flight<string>(false, 'Repo.get', 'u1', false, 1, []);
    flights.track('k', newer, new Promise(() => {}), undefined);
    old.resolve('old');
    await new Promise((resolve) => setImmediate(resolve));
    expect(flights.get('k')).toBe(newer);
  });
});

describe('Flight', () => {
  it('rejects a caller who aborts with its own reason, while another still gets the result', async () => {
    const work = deferred<string>();
    const { flight } = started(work.promise);
    const leaving = new AbortController();
    const staying = new AbortController();
    const left = flight.join(leaving.signal);
    const stays = flight.join(staying.signal);
    leaving.abort(new Error('left'));
    await expect(left).rejects.toThrow('left');
    expect(flight.signal.aborted).toBe(false);
    work.resolve('v');
    await expect(stays).resolves.toBe('v');
  });

  it('aborts its own scope and frees its key once every caller has left', async () => {
    const { flights, flight } = started(new Promise(() => {}));
    const caller = new AbortController();
    const joined = flight.join(caller.signal);
    caller.abort(new Error('gone'));
    await expect(joined).rejects.toThrow('gone');
    expect(flight.signal.aborted).toBe(true);
    expect(flights.get('k')).toBeUndefined();
  });

  it('never aborts once a caller that cannot leave has joined', async () => {
    const { flights, flight } = started(new Promise(() => {}));
    void flight.join(undefined);
    const caller = new AbortController();
    const joined = flight.join(caller.signal);
    caller.abort(new Error('gone'));
    await expect(joined).rejects.toThrow('gone');
    expect(flight.signal.aborted).toBe(false);
    expect(flights.get('k')).toBe(flight);
  });

  it('rejects at once a caller whose signal is already aborted', async () => {
    const { flight } = started(new Promise(() => {}));
    const caller = new AbortController();
    caller.abort(new Error('already'));
    await expect(flight.join(caller.signal)).rejects.toThrow('already');
  });

  it('keeps the labels and the load stamp it was made with', () => {
    const flight = new Flight<string>(true, 'Repo.get', 'u1', true, 7, ['a']);
    expect(flight).toMatchObject({
      cancellable: true,
      operation: 'Repo.get',
      tenant: 'u1',
      tagged: true,
      stamp: 7,
      args: ['a'],
    });
  });
});
