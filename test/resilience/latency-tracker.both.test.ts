import { prng } from '../helpers';
import { ConfigError } from '../../src/errors';
import {
  ADAPTIVE_TIMEOUT_DEFAULTS,
  LatencyTracker,
  validateAdaptiveTimeoutOptions,
  type AdaptiveTimeoutOptions,
} from '../../src/resilience/latency-tracker';

/** Records every sample of `samples`, in order. */
function feed(tracker: LatencyTracker, samples: Iterable<number>): void {
  for (const ms of samples) tracker.record(ms);
}

/** `n` copies of `ms`. */
const repeat = (ms: number, n: number): number[] => new Array<number>(n).fill(ms);

/** The integers `from..to`, both included. */
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A Fisher-Yates shuffle driven by `random`. */
function shuffled(values: number[], random: () => number): number[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The reference nearest-rank percentile: sort, then take the ceil(p * n)-th smallest. */
function nearestRank(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9));
  return sorted[rank - 1];
}

/** A tracker whose limit is the raw percentile: multiplier 1 and bounds that never bite. */
const raw = (options: AdaptiveTimeoutOptions = {}): LatencyTracker =>
  new LatencyTracker({ multiplier: 1, min: 1e-9, max: 1e12, ...options }, 1e12);

describe('validateAdaptiveTimeoutOptions', () => {
  it('accepts empty options and every valid value', () => {
    expect(() => validateAdaptiveTimeoutOptions({}, 'x')).not.toThrow();
    expect(() =>
      validateAdaptiveTimeoutOptions(
        { percentile: 0.5, multiplier: 1, min: 1, max: 1, minSamples: 1, window: 1 },
        'x',
      ),
    ).not.toThrow();
    expect(() =>
      validateAdaptiveTimeoutOptions(
        { percentile: 0.999, multiplier: 3.5, min: 0.5, max: 60_000, minSamples: 200 },
        'x',
      ),
    ).not.toThrow();
  });

  it.each<[string, AdaptiveTimeoutOptions, string]>([
    ['percentile', { percentile: 0 }, 'expected a fraction in (0, 1), got 0'],
    ['percentile', { percentile: 1 }, 'expected a fraction in (0, 1), got 1'],
    ['percentile', { percentile: -0.5 }, 'got -0.5'],
    ['percentile', { percentile: 99 }, 'got 99'],
    ['percentile', { percentile: NaN }, 'got NaN'],
    ['percentile', { percentile: '0.9' as unknown as number }, "got '0.9'"],
    ['multiplier', { multiplier: 0.9 }, 'expected a finite number >= 1, got 0.9'],
    ['multiplier', { multiplier: 0 }, 'got 0'],
    ['multiplier', { multiplier: Infinity }, 'got Infinity'],
    ['multiplier', { multiplier: NaN }, 'got NaN'],
    ['multiplier', { multiplier: null as unknown as number }, 'got null'],
    ['min', { min: 0 }, 'expected a finite number of ms > 0, got 0'],
    ['min', { min: -1 }, 'got -1'],
    ['min', { min: Infinity }, 'got Infinity'],
    ['max', { max: 0 }, 'expected a finite number of ms > 0, got 0'],
    ['max', { max: Infinity }, 'got Infinity'],
    ['max', { max: NaN }, 'got NaN'],
    ['min', { min: 500, max: 400 }, 'expected a number of ms <= max (400), got 500'],
    ['minSamples', { minSamples: 0 }, 'expected an integer >= 1, got 0'],
    ['minSamples', { minSamples: 2.5 }, 'got 2.5'],
    ['window', { window: 0 }, 'expected an integer >= 1, got 0'],
    ['window', { window: 10.5 }, 'got 10.5'],
    ['window', { window: 10 }, 'expected an integer >= minSamples (20), got 10'],
    ['window', { window: 4, minSamples: 5 }, 'expected an integer >= minSamples (5), got 4'],
    ['minSamples', { minSamples: 201 }, 'expected an integer <= window (default 200), got 201'],
  ])('refuses a bad %s: %j', (option, options, message) => {
    let error: unknown;
    try {
      validateAdaptiveTimeoutOptions(options, 'Api.fetch.adaptive');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(`Api.fetch.adaptive.${option}`);
    expect((error as ConfigError).message).toContain(message);
  });

  it('accepts min === max and window === minSamples', () => {
    expect(() =>
      validateAdaptiveTimeoutOptions({ min: 300, max: 300, minSamples: 7, window: 7 }, 'x'),
    ).not.toThrow();
  });

  it('publishes its defaults', () => {
    expect(ADAPTIVE_TIMEOUT_DEFAULTS).toEqual({
      percentile: 0.99,
      multiplier: 2,
      min: 100,
      minSamples: 20,
      window: 200,
    });
  });
});

describe('LatencyTracker: construction', () => {
  it('validates its options under the name LatencyTracker, or the `where` it is given', () => {
    expect(() => new LatencyTracker({ percentile: 2 }, 1_000)).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'LatencyTracker.percentile' }),
    );
    expect(() => new LatencyTracker({ window: 3 }, 1_000, 'Api.get.adaptive')).toThrow(
      expect.objectContaining({ option: 'Api.get.adaptive.window' }),
    );
  });

  it('checks the fallback max only when options.max is unset', () => {
    for (const bad of [0, -5, NaN, Infinity]) {
      expect(() => new LatencyTracker({}, bad)).toThrow(
        expect.objectContaining({ option: 'LatencyTracker.max' }),
      );
      expect(new LatencyTracker({ max: 700 }, bad).limit()).toBe(700);
    }
  });

  it('refuses an explicit min above the fallback max', () => {
    expect(() => new LatencyTracker({ min: 500 }, 400, 'Api.get.adaptive')).toThrow(
      new ConfigError(
        'Api.get.adaptive.min',
        'expected a number of ms <= max (unset, so the default timeout 400), got 500',
      ),
    );
    expect(new LatencyTracker({ min: 400 }, 400).limit()).toBe(400);
  });

  it('starts empty, with the limit at max: options.max, else the fallback', () => {
    const fromFallback = new LatencyTracker({}, 5_000);
    expect(fromFallback.samples).toBe(0);
    expect(fromFallback.limit()).toBe(5_000);
    expect(new LatencyTracker({ max: 800 }, 5_000).limit()).toBe(800);
  });
});

describe('LatencyTracker: the limit', () => {
  it('is max until minSamples samples are in, then clamp(p * multiplier, min, max)', () => {
    const tracker = new LatencyTracker({ minSamples: 5, min: 10, max: 1_000 }, 9_999);
    for (let i = 1; i <= 4; i++) {
      tracker.record(50);
      expect(tracker.samples).toBe(i);
      expect(tracker.limit()).toBe(1_000);
    }
    tracker.record(50);
    expect(tracker.samples).toBe(5);
    expect(tracker.limit()).toBe(100); // p99 of five 50s = 50, times the default 2
  });

  it('with the defaults: p99 * 2 over 200 samples, after 20, between 100 ms and the fallback', () => {
    const tracker = new LatencyTracker({}, 5_000);
    feed(tracker, repeat(300, 19));
    expect(tracker.limit()).toBe(5_000);
    tracker.record(300);
    expect(tracker.limit()).toBe(600);

    const fast = new LatencyTracker({}, 5_000);
    feed(fast, repeat(10, 20));
    expect(fast.limit()).toBe(100); // 20 ms, raised to the default min

    const slow = new LatencyTracker({}, 5_000);
    feed(slow, repeat(4_000, 20));
    expect(slow.limit()).toBe(5_000); // 8_000 ms, lowered to max
  });

  it('lowers the default min (100) to max when max is below it', () => {
    const tracker = new LatencyTracker({ minSamples: 1, window: 1 }, 50);
    tracker.record(1);
    expect(tracker.limit()).toBe(50);
    const explicit = new LatencyTracker({ max: 80, minSamples: 1, window: 1 }, 5_000);
    explicit.record(1);
    expect(explicit.limit()).toBe(80);
  });

  it.each<[number, number, number]>([
    // [multiplier, sample, limit] with min 100 and max 1_000
    [1, 40, 100],
    [2, 49.5, 100],
    [2, 50, 100],
    [2, 50.25, 100.5],
    [2, 250, 500],
    [1.5, 300, 450],
    [3, 333, 999],
    [3, 334, 1_000],
    [10, 900, 1_000],
  ])('multiplier %d and samples of %d ms give %d ms', (multiplier, sample, limit) => {
    const tracker = new LatencyTracker({ multiplier, min: 100, max: 1_000, minSamples: 1 }, 0);
    feed(tracker, repeat(sample, 10));
    expect(tracker.limit()).toBe(limit);
  });

  it('does not change when read again without new samples', () => {
    const tracker = raw({ minSamples: 1, window: 100 });
    feed(tracker, range(1, 100));
    expect(tracker.limit()).toBe(99);
    expect(tracker.limit()).toBe(99);
    expect(tracker.limit()).toBe(99);
  });
});

describe('LatencyTracker: the percentile is the nearest rank', () => {
  it.each<[number, number]>([
    [0.9, 90],
    [0.99, 99],
    [0.5, 50],
    [0.01, 1],
    [0.001, 1],
    [0.999, 100],
    [0.905, 91], // ceil(90.5)
    [0.07, 7], // 0.07 * 100 = 7.000000000000001 in floating point: still the 7th
    [0.29, 29], // 0.29 * 100 = 28.999999999999996: the 29th
    [0.57, 57], // 0.57 * 100 = 56.99999999999999
  ])('samples 1..100 in any order, percentile %d -> %d', (percentile, expected) => {
    const random = prng(42);
    for (let round = 0; round < 3; round++) {
      const tracker = raw({ percentile, minSamples: 1, window: 100 });
      feed(tracker, round === 0 ? range(1, 100) : shuffled(range(1, 100), random));
      expect(tracker.limit()).toBe(expected);
    }
  });

  it.each<[number[], number, number]>([
    [[30, 10, 20], 0.5, 20], // rank ceil(1.5) = 2
    [[30, 10, 20], 0.34, 20], // rank ceil(1.02) = 2
    [[30, 10, 20], 0.33, 10], // rank ceil(0.99) = 1
    [[30, 10, 20], 0.67, 30], // rank ceil(2.01) = 3
    [[30, 10, 20], 0.99, 30],
    [[7], 0.01, 7],
    [[7], 0.99, 7],
    [[5, 5, 5, 1, 9], 0.5, 5],
    [[0, 0, 0, 3], 0.75, 1e-9], // rank 3 is 0, times 1, raised to min
    [[2.5, 0.25, 1.75, 1.5], 0.75, 1.75], // rank 3
  ])('over %j, percentile %d -> %d', (samples, percentile, expected) => {
    const tracker = raw({ percentile, minSamples: 1, window: samples.length });
    feed(tracker, samples);
    expect(tracker.limit()).toBe(expected);
  });

  it('is always an observed sample, never an interpolation', () => {
    const tracker = raw({ percentile: 0.5, minSamples: 1, window: 4 });
    feed(tracker, [10, 20, 30, 40]);
    expect(tracker.limit()).toBe(20); // rank 2, where interpolation would give 25
  });

  it('matches a sort-based reference on random streams (windows up to 20: fresh on every read)', () => {
    const random = prng(7);
    for (let round = 0; round < 300; round++) {
      const window = 1 + Math.floor(random() * 20);
      const minSamples = 1 + Math.floor(random() * window);
      const percentile = Math.min(0.999, Math.max(0.001, random()));
      const tracker = raw({ percentile, minSamples, window });
      // Few distinct values in half the rounds: many ties, as censored samples give.
      const distinct = round % 2 === 0 ? 3 : 1_000;
      const stream: number[] = [];
      for (let i = 0; i < 3 * window; i++) {
        const ms = (1 + Math.floor(random() * distinct)) * 7.5;
        tracker.record(ms);
        stream.push(ms);
        const recent = stream.slice(-window);
        expect(tracker.samples).toBe(recent.length);
        const expected = recent.length < minSamples ? 1e12 : nearestRank(recent, percentile);
        expect(tracker.limit()).toBe(expected);
      }
    }
  });

  it('matches the reference on large windows when read every ceil(window / 20) samples', () => {
    const random = prng(2024);
    for (const window of [21, 64, 200, 1_000, 4_096]) {
      for (const percentile of [0.5, 0.9, 0.99, 0.999]) {
        const k = Math.ceil(window / 20);
        const tracker = raw({ percentile, minSamples: 1, window });
        const stream: number[] = [];
        for (let i = 1; i <= 3 * window; i++) {
          const ms = i % 3 === 0 ? 5 + Math.floor(random() * 4) : Math.round(random() * 1e5) / 100;
          tracker.record(ms);
          stream.push(ms);
          if (i % k === 0)
            expect(tracker.limit()).toBe(nearestRank(stream.slice(-window), percentile));
        }
      }
    }
  });

  it('agrees with the reference on both sides of the switch from the top-16 scan to quickselect', () => {
    // Window 100: percentile 0.85 is the 16th largest (scan), 0.84 the 17th (quickselect).
    const random = prng(99);
    for (const percentile of [0.84, 0.85, 0.1, 0.999]) {
      for (let round = 0; round < 50; round++) {
        const samples = range(1, 100).map(() => Math.floor(random() * (round % 2 ? 5 : 1e4)));
        const tracker = raw({ percentile, minSamples: 1, window: 100 });
        feed(tracker, samples);
        expect(tracker.limit()).toBe(Math.max(1e-9, nearestRank(samples, percentile)));
      }
    }
  });

  it('handles sorted, reversed, constant, organ-pipe and sawtooth windows', () => {
    const organPipe = [...range(1, 250), ...range(1, 250).reverse()];
    const sawtooth = range(0, 499).map((i) => i % 17);
    const patterns = [range(1, 500), range(1, 500).reverse(), repeat(42, 500), organPipe, sawtooth];
    for (const samples of patterns) {
      for (const percentile of [0.002, 0.5, 0.99]) {
        const tracker = raw({ percentile, minSamples: 1, window: 500 });
        feed(tracker, samples);
        expect(tracker.limit()).toBe(Math.max(1e-9, nearestRank(samples, percentile)));
      }
    }
  });
});

describe('LatencyTracker: the window', () => {
  it('keeps only the last `window` samples: old ones leave it', () => {
    const tracker = raw({ percentile: 0.99, minSamples: 1, window: 5 });
    feed(tracker, repeat(100, 5));
    expect(tracker.limit()).toBe(100);
    feed(tracker, repeat(1, 4));
    expect(tracker.limit()).toBe(100); // one 100 left
    tracker.record(1);
    expect(tracker.limit()).toBe(1); // the 100s are all out
    expect(tracker.samples).toBe(5);
  });

  it('counts samples up to the window, then stays there', () => {
    const tracker = new LatencyTracker({ minSamples: 3, window: 10 }, 1_000);
    for (let i = 1; i <= 25; i++) {
      tracker.record(i);
      expect(tracker.samples).toBe(Math.min(i, 10));
    }
  });

  it('works with a window of one', () => {
    const tracker = raw({ minSamples: 1, window: 1 });
    for (const ms of [5, 50, 0.5, 500]) {
      tracker.record(ms);
      expect(tracker.limit()).toBe(ms);
      expect(tracker.samples).toBe(1);
    }
  });
});

describe('LatencyTracker: ignored samples', () => {
  it.each([NaN, Infinity, -Infinity, -1, -0.001, Number.MIN_SAFE_INTEGER])(
    'ignores %d: it neither enters the window nor counts towards minSamples',
    (bad) => {
      const tracker = raw({ minSamples: 2, window: 3 });
      tracker.record(10);
      tracker.record(bad);
      expect(tracker.samples).toBe(1);
      expect(tracker.limit()).toBe(1e12);
      tracker.record(20);
      tracker.record(bad);
      tracker.record(30);
      tracker.record(bad);
      expect(tracker.samples).toBe(3);
      expect(tracker.limit()).toBe(30);
      tracker.record(1);
      tracker.record(bad);
      tracker.record(1);
      tracker.record(1);
      expect(tracker.limit()).toBe(1); // the window holds 1, 1, 1: no bad sample in it
    },
  );

  it('accepts 0 ms (a call answered from memory)', () => {
    const tracker = raw({ minSamples: 1, window: 2 });
    tracker.record(0);
    expect(tracker.samples).toBe(1);
    expect(tracker.limit()).toBe(1e-9); // 0 * 1, raised to min
  });

  it('ignores a value that is not a number at all', () => {
    const tracker = raw({ minSamples: 1, window: 2 });
    tracker.record('12' as unknown as number);
    tracker.record(undefined as unknown as number);
    expect(tracker.samples).toBe(0);
  });
});

describe('LatencyTracker: staleness (recomputed after ceil(window / 20) samples)', () => {
  it('with window 200, a read sees the percentile as it was at most 9 samples ago', () => {
    const tracker = raw({ percentile: 0.5, minSamples: 1, window: 200 });
    feed(tracker, repeat(10, 200));
    expect(tracker.limit()).toBe(10);
    // 101 samples of 50 move the median to 50; reads in between lag by at most 9 samples.
    const seen: number[] = [];
    for (let i = 1; i <= 110; i++) {
      tracker.record(50);
      seen.push(tracker.limit());
    }
    // Recomputed at the 10th, 20th, ... sample: the median is 50 from the 101st on.
    expect(seen.indexOf(50)).toBe(109); // the 110th sample, first recomputation after the 101st
    expect(seen.slice(0, 109).every((v) => v === 10)).toBe(true);
  });

  it('counts the samples recorded while nobody read, so a late read is fresh', () => {
    const tracker = raw({ percentile: 0.5, minSamples: 1, window: 200 });
    feed(tracker, repeat(10, 200));
    expect(tracker.limit()).toBe(10);
    feed(tracker, repeat(50, 101));
    expect(tracker.limit()).toBe(50);
  });

  it('recomputes on the first read once minSamples are in, whatever came before', () => {
    const tracker = raw({ percentile: 0.5, minSamples: 25, window: 400 }); // k = 20
    for (let i = 1; i <= 24; i++) {
      tracker.record(i);
      expect(tracker.limit()).toBe(1e12);
    }
    tracker.record(25);
    expect(tracker.limit()).toBe(13);
    tracker.record(1_000);
    expect(tracker.limit()).toBe(13); // 1 sample since: stale, within the bound of 19
  });

  it('is fresh on every read for a window of 20 or less', () => {
    const tracker = raw({ percentile: 0.5, minSamples: 1, window: 20 });
    feed(tracker, repeat(10, 20));
    expect(tracker.limit()).toBe(10);
    const seen: number[] = [];
    for (let i = 0; i < 11; i++) {
      tracker.record(99);
      seen.push(tracker.limit());
    }
    expect(seen).toEqual([...repeat(10, 10), 99]); // rank 10 of 20 is 99 once 11 are 99
  });

  it.each<[number, number]>([
    [21, 2],
    [40, 2],
    [41, 3],
    [200, 10],
    [1_000, 50],
  ])('with window %d it recomputes every %d samples', (window, k) => {
    const tracker = raw({ percentile: 0.9999, minSamples: 1, window }); // the largest sample
    feed(tracker, repeat(1, window));
    expect(tracker.limit()).toBe(1);
    for (let i = 1; i < k; i++) {
      tracker.record(1_000 + i);
      expect(tracker.limit()).toBe(1);
    }
    tracker.record(1_000 + k);
    expect(tracker.limit()).toBe(1_000 + k);
  });
});

describe('LatencyTracker: following the dependency', () => {
  it('rises to 100 ms * multiplier within the window when 10 ms turns into 100 ms, then falls back', () => {
    const tracker = new LatencyTracker({}, 5_000); // p99, x2, min 100, window 200
    feed(tracker, repeat(10, 200));
    expect(tracker.limit()).toBe(100); // 20 ms raised to min

    const rising: number[] = [];
    for (let i = 0; i < 200; i++) {
      tracker.record(100);
      rising.push(tracker.limit());
    }
    // p99 of 200 is the 198th smallest: 100 once 3 samples are 100, seen at the 10th (staleness).
    expect(rising.indexOf(200)).toBe(9);
    expect(rising.slice(9).every((v) => v === 200)).toBe(true);

    const falling: number[] = [];
    for (let i = 0; i < 200; i++) {
      tracker.record(10);
      falling.push(tracker.limit());
    }
    // Back to 10 ms once at most 2 of the 200 samples are 100 ms: after 198, seen at the 200th.
    expect(falling.indexOf(100)).toBe(199);
    expect(falling.slice(0, 199).every((v) => v === 200)).toBe(true);
  });

  it('is capped by max during the slowdown', () => {
    const tracker = new LatencyTracker({ max: 150 }, 5_000);
    feed(tracker, repeat(10, 200));
    expect(tracker.limit()).toBe(100);
    feed(tracker, repeat(100, 10));
    expect(tracker.limit()).toBe(150);
  });

  it('follows the median at once with percentile 0.5', () => {
    const tracker = new LatencyTracker({ percentile: 0.5, multiplier: 3, min: 1 }, 5_000);
    feed(tracker, repeat(10, 200));
    expect(tracker.limit()).toBe(30);
    feed(tracker, repeat(100, 100));
    expect(tracker.limit()).toBe(30); // rank 100 of 200 is still 10
    feed(tracker, repeat(100, 10));
    expect(tracker.limit()).toBe(300);
  });

  it('grows through censored samples: timed-out attempts recorded as the limit they hit', () => {
    // Each attempt takes `latency` ms; one that would exceed the limit times out and is
    // recorded as the limit (the latency was at least that much).
    const tracker = new LatencyTracker({}, 10_000); // p99, x2, min 100, window 200
    const run = (latency: number, attempts: number): number[] => {
      const limits: number[] = [];
      for (let i = 0; i < attempts; i++) {
        const limit = tracker.limit();
        limits.push(limit);
        tracker.record(Math.min(latency, limit));
      }
      return limits;
    };
    run(20, 200);
    expect(tracker.limit()).toBe(100); // 40 ms raised to min

    // The dependency slows to 900 ms: the limit doubles each time 3 timed-out samples are in.
    const limits = run(900, 200);
    const steps = [...new Set(limits)];
    expect(steps).toEqual([100, 200, 400, 800, 1_600, 1_800]);
    const reached = limits.indexOf(1_800);
    expect(reached).toBe(50); // 5 recomputations, one per 10 attempts
    expect(limits.slice(reached).every((v) => v === 1_800)).toBe(true);
  });
});
