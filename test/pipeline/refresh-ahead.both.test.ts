import { Cached, ConfigError, ExecutionUtils, type ExecutionUtilsOptions } from '../../src';
import type { RefreshAhead } from '../../src/cache/cached-options';
import { ManualClock } from '../../src/testing';
import { configErrorOf, deferred } from '../helpers';

// refreshAhead: XFetch on every hit of an entry with a measured load time. With `random` fixed at
// e^-5, ln(random) = -5: a hit refreshes once `now + 5 * delta * beta >= expiry`.
const LN_MINUS_5 = Math.exp(-5);

/** A loader whose loads take `loadMs` on the manual clock, and may be held by a gate. */
interface Setup {
  beta?: number;
  random?: () => number;
  loadMs?: number;
  /** The decorator's `refreshAhead` as given (overrides `beta`); 'unset' leaves it out. */
  own?: RefreshAhead | 'unset';
  service?: ExecutionUtilsOptions;
}

function setup(options: Setup = {}) {
  const clock = new ManualClock();
  const utils = new ExecutionUtils({
    clock,
    random: options.random ?? (() => LN_MINUS_5),
    ...options.service,
  });
  const own = options.own ?? (options.beta === undefined ? true : { beta: options.beta });
  const loadMs = options.loadMs ?? 200;
  let version = 0;
  let gate: Promise<void> | undefined;
  let failNext = false;
  const get = utils.wrap(
    async (id: string) => {
      const v = ++version;
      // The load's own time, read on the service's clock (a timer that advance() fires).
      await new Promise<void>((resolve) => clock.setTimer(resolve, loadMs));
      if (gate) await gate;
      if (failNext) {
        failNext = false;
        throw new Error('refresh failed');
      }
      return `${id}-v${v}`;
    },
    {
      name: 'hot',
      cache: own === 'unset' ? { ttl: 10_000 } : { ttl: 10_000, refreshAhead: own },
    },
  );
  /** A call, with the clock moved past the load's time so a miss completes. */
  const call = async (id = 'k'): Promise<string> => {
    const result = get(id);
    await clock.advance(loadMs);
    return result;
  };
  return {
    utils,
    clock,
    get,
    call,
    loads: () => version,
    hold: () => {
      const d = deferred<void>();
      gate = d.promise;
      return () => {
        gate = undefined;
        d.resolve();
      };
    },
    failNextLoad: () => (failNext = true),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('refreshAhead (XFetch)', () => {
  it('starts the refresh exactly when now - delta * beta * ln(random) reaches the expiry', async () => {
    const { clock, get, call, loads } = setup();
    await call(); // written at t = 200 with delta 200: expires at 10,200; refresh from 9,200 on
    expect(loads()).toBe(1);
    await clock.advance(8_999); // t = 9,199
    await get('k');
    expect(loads()).toBe(1);
    await clock.advance(1); // t = 9,200: 9,200 + 5 * 200 >= 10,200
    await expect(get('k')).resolves.toBe('k-v1');
    expect(loads()).toBe(2);
    await clock.advance(200);
    await turn();
    await expect(get('k')).resolves.toBe('k-v2');
  });

  it('scales the window by beta', async () => {
    const { clock, get, call, loads } = setup({ beta: 2 });
    await call(); // refresh from 10,200 - 5 * 200 * 2 = 8,200 on
    await clock.advance(7_999);
    await get('k');
    expect(loads()).toBe(1);
    await clock.advance(1);
    await get('k');
    expect(loads()).toBe(2);
  });

  it('uses the measured load time as delta: a slower load refreshes earlier', async () => {
    const { clock, get, call, loads } = setup({ loadMs: 1_000 });
    await call(); // written at 1,000, expires at 11,000, delta 1,000: refresh from 6,000 on
    await clock.advance(4_999);
    await get('k');
    expect(loads()).toBe(1);
    await clock.advance(1);
    await get('k');
    expect(loads()).toBe(2);
  });

  it('never makes the caller wait, and runs one refresh per key at a time', async () => {
    const { utils, clock, get, call, loads, hold } = setup();
    await call();
    await clock.advance(9_500);
    const release = hold();
    // Every hit is due, but only the first starts a refresh; all get the value at once.
    const values = await Promise.all([get('k'), get('k'), get('k')]);
    expect(values).toEqual(['k-v1', 'k-v1', 'k-v1']);
    expect(loads()).toBe(2);
    expect(utils.getStats('hot')).toMatchObject({ hits: 3, earlyRefreshes: 1 });
    release();
    await clock.advance(200);
    await turn();
    await expect(get('k')).resolves.toBe('k-v2');
  });

  it('does not write back a refresh that an invalidation overtook', async () => {
    const { utils, clock, get, call, loads, hold } = setup();
    await call();
    await clock.advance(9_500);
    const release = hold();
    await get('k');
    expect(loads()).toBe(2);
    await utils.invalidateOperation('hot');
    release();
    await clock.advance(200);
    await turn();
    // Not the refresh's v2: the next call is a miss and loads v3.
    await expect(call()).resolves.toBe('k-v3');
  });

  it('leaves the entry as it was when the refresh fails', async () => {
    const { clock, get, call, failNextLoad } = setup();
    await call();
    await clock.advance(9_500);
    failNextLoad();
    await expect(get('k')).resolves.toBe('k-v1');
    await clock.advance(200);
    await turn();
    await expect(get('k')).resolves.toBe('k-v1');
  });

  it('counts each early refresh and tells the earlyRefresh event', async () => {
    const { utils, clock, get, call } = setup();
    const seen: string[] = [];
    utils.on('earlyRefresh', ({ operation }) => seen.push(operation));
    await call();
    await clock.advance(9_500);
    await get('k');
    expect(seen).toEqual(['hot']);
    expect(utils.getStats().earlyRefreshes).toBe(1);
  });

  it('does nothing with a draw that puts the refresh after the expiry', async () => {
    const { clock, get, call, loads } = setup({ random: () => 1 }); // ln(1) = 0: never early
    await call();
    await clock.advance(9_999);
    await get('k');
    expect(loads()).toBe(1);
  });

  it('is off by default; the service option turns it on, the decorator and a profile beat it', async () => {
    const refreshes = async (options: Setup): Promise<number> => {
      const { clock, get, call, loads } = setup(options);
      await call();
      await clock.advance(9_500);
      await get('k');
      return loads() - 1;
    };
    expect(await refreshes({ own: 'unset' })).toBe(0);
    expect(await refreshes({ own: 'unset', service: { refreshAhead: true } })).toBe(1);
    expect(await refreshes({ own: false, service: { refreshAhead: true } })).toBe(0);
    const profileOff = { operations: { hot: { refreshAhead: false } } };
    expect(await refreshes({ own: true, service: profileOff })).toBe(0);
  });

  it('refuses a bad refreshAhead where it is declared', () => {
    expect(configErrorOf(() => Cached({ refreshAhead: { beta: 0 } })).message).toMatch(
      /refreshAhead\.beta/,
    );
    expect(configErrorOf(() => Cached({ refreshAhead: { bta: 1 } as object })).message).toMatch(
      /did you mean 'beta'/,
    );
    expect(() => new ExecutionUtils({ refreshAhead: 'yes' as unknown as boolean })).toThrow(
      ConfigError,
    );
    expect(
      () => new ExecutionUtils({ operations: { hot: { refreshAhead: { beta: -1 } } } }),
    ).toThrow(/operations\.hot\.refreshAhead\.beta/);
  });
});
