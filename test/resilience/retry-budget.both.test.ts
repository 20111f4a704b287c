import type { Clock } from '../../src/clock';
import { ConfigError } from '../../src/errors';
import {
  RetryBudget,
  validateRetryBudgetOptions,
  type RetryBudgetOptions,
} from '../../src/resilience/retry-budget';
import { ManualClock } from '../../src/testing/manual-clock';

// ManualClock starts at 1_000_000 ms: a multiple of every bucket width used here (windowMs / 10),
// so the first bucket starts exactly at t0 and the expiry times below are exact.

/** Records `n` first attempts. */
function attempts(budget: RetryBudget, n: number): void {
  for (let i = 0; i < n; i++) budget.recordAttempt();
}

/** Spends retries until the budget refuses one; returns how many were granted. */
function drain(budget: RetryBudget): number {
  let granted = 0;
  while (budget.tryRetry()) {
    granted++;
    if (granted > 1_000_000) throw new Error('the budget never refused');
  }
  return granted;
}

/** Spends exactly `n` retries, failing the test if any is refused. */
function spend(budget: RetryBudget, n: number): void {
  for (let i = 0; i < n; i++) expect(budget.tryRetry()).toBe(true);
}

describe('RetryBudget: the formula', () => {
  it('with the defaults (20 %, 10/s, 10 s) lets a service with no traffic retry 100 times', () => {
    const budget = new RetryBudget({}, new ManualClock());
    expect(drain(budget)).toBe(100);
    expect(budget.exhausted).toBe(1);
    expect(budget.tryRetry()).toBe(false);
    expect(budget.exhausted).toBe(2);
  });

  // granted = the number of integers r >= 0 with r < ratio * A + floor, i.e. ceil(ratio * A + floor).
  it.each<[RetryBudgetOptions, number, number]>([
    [{}, 0, 100], // 0.2 * 0 + 10 * 10
    [{}, 7, 102], // r < 101.4
    [{}, 10, 102], // r < 102
    [{}, 11, 103], // r < 102.2
    [{}, 1_000, 300], // r < 200 + 100
    [{}, 100_000, 20_100], // r < 20_000 + 100
    [{ ratio: 0.5, minPerSecond: 0, windowMs: 1_000 }, 0, 0],
    [{ ratio: 0.5, minPerSecond: 0, windowMs: 1_000 }, 1, 1], // r < 0.5
    [{ ratio: 0.5, minPerSecond: 0, windowMs: 1_000 }, 4, 2], // r < 2
    [{ ratio: 0.5, minPerSecond: 0, windowMs: 1_000 }, 5, 3], // r < 2.5
    [{ ratio: 0, minPerSecond: 1, windowMs: 5_000 }, 1_000, 5], // floor only: 1/s * 5 s
    [{ ratio: 1, minPerSecond: 0 }, 3, 3],
    [{ ratio: 0.1, minPerSecond: 2, windowMs: 2_500 }, 30, 8], // r < 3 + 5
    [{ ratio: 0, minPerSecond: 0 }, 1_000, 0], // retries disabled
  ])('%j after %i first attempts grants exactly %i retries', (options, firstAttempts, granted) => {
    const budget = new RetryBudget(options, new ManualClock());
    attempts(budget, firstAttempts);
    expect(drain(budget)).toBe(granted);
    expect(budget.exhausted).toBe(1);
  });

  it('earns ratio more retries with each new first attempt, once the budget is spent', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0 }, new ManualClock());
    attempts(budget, 5);
    expect(drain(budget)).toBe(1); // r < 1
    attempts(budget, 4);
    expect(drain(budget)).toBe(1); // r = 1 < 1.8
    attempts(budget, 1);
    expect(drain(budget)).toBe(0); // r = 2 < 2 is false
    attempts(budget, 1);
    expect(drain(budget)).toBe(1); // r = 2 < 2.2
    expect(budget.exhausted).toBe(4);
  });

  it('counts only granted retries against the budget, not refusals', () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0.1 }, new ManualClock()); // 1/window
    expect(budget.tryRetry()).toBe(true);
    for (let i = 0; i < 50; i++) expect(budget.tryRetry()).toBe(false);
    expect(budget.exhausted).toBe(50);
  });
});

describe('RetryBudget: the sliding window', () => {
  it('lets retries expire: the floor is granted again one window later', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 10_000 }, clock);
    spend(budget, 10);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(9_999);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(1);
    expect(drain(budget)).toBe(10);
  });

  it('lets first attempts expire: they stop earning retries one window later', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, windowMs: 10_000 }, clock);
    attempts(budget, 100); // at t0
    await clock.advance(9_999);
    expect(drain(budget)).toBe(20); // the 100 attempts still count: r < 20
    await clock.advance(1); // t0 + 10 s: the attempts leave; the 20 retries (at t0 + 9.999 s) stay
    expect(budget.tryRetry()).toBe(false); // r = 20 < 0 is false
    attempts(budget, 100);
    expect(drain(budget)).toBe(0); // r = 20 < 20 is false
    attempts(budget, 5);
    expect(drain(budget)).toBe(1); // r = 20 < 21
  });

  it('slides bucket by bucket rather than resetting once per window', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 10_000 }, clock);
    spend(budget, 5); // at t0
    await clock.advance(5_000);
    spend(budget, 5); // at t0 + 5 s
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(4_999); // t0 + 9.999 s: all 10 still count
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(1); // t0 + 10 s: the 5 from t0 leave
    expect(drain(budget)).toBe(5);
    await clock.advance(4_999); // t0 + 14.999 s: the 5 from t0 + 5 s and 5 from t0 + 10 s count
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(1); // t0 + 15 s: the 5 from t0 + 5 s leave
    expect(drain(budget)).toBe(5);
  });

  it('keeps an event between 0.9 and 1 window, as documented (buckets of windowMs / 10)', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 10_000 }, clock);
    await clock.advance(999); // the last ms of the first bucket
    spend(budget, 10);
    await clock.advance(9_000); // t0 + 9_999: 9_000 ms after the retries, still counted
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(1); // 9_001 ms after: their bucket has left the window
    expect(drain(budget)).toBe(10);
  });

  it('forgets everything after a pause longer than the window', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000 }, clock);
    attempts(budget, 1_000);
    expect(drain(budget)).toBe(210);
    await clock.advance(3_600_000);
    expect(drain(budget)).toBe(10); // only the floor: the 1_000 attempts are gone too
    expect(budget.exhausted).toBe(2);
  });

  it('works on a clock that reads negative times', async () => {
    const clock = new ManualClock(-25_000);
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 10_000 }, clock);
    spend(budget, 10);
    await clock.advance(5_000);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(5_000); // t = -15_000: ten buckets later
    expect(drain(budget)).toBe(10);
    await clock.advance(20_000); // across zero
    expect(drain(budget)).toBe(10);
  });

  it('counts in the newest bucket when a clock goes backwards', () => {
    let time = 50_000;
    const clock: Clock = { now: () => time, setTimer: () => undefined, clearTimer: () => {} };
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 10_000 }, clock);
    spend(budget, 4);
    time = 20_000; // backwards by 30 s
    spend(budget, 6);
    expect(budget.tryRetry()).toBe(false);
    time = 59_999; // still the window of 50_000
    expect(budget.tryRetry()).toBe(false);
    time = 60_000;
    expect(drain(budget)).toBe(10);
  });
});

describe('RetryBudget: the floor lets a quiet service retry', () => {
  it('grants minPerSecond * windowMs / 1000 retries per window with no traffic at all', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 3, windowMs: 2_000 }, clock);
    for (let window = 0; window < 5; window++) {
      expect(drain(budget)).toBe(6);
      await clock.advance(2_000);
    }
    expect(budget.exhausted).toBe(5);
  });

  it('a single call can still retry after a failure on a service that was idle', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({}, clock);
    await clock.advance(60_000);
    budget.recordAttempt();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
  });

  it('without a floor, a service with no traffic cannot retry', () => {
    const budget = new RetryBudget({ minPerSecond: 0 }, new ManualClock());
    expect(budget.tryRetry()).toBe(false);
    budget.recordAttempt();
    expect(budget.tryRetry()).toBe(true); // 0 < 0.2
    expect(budget.tryRetry()).toBe(false);
  });
});

/**
 * A full outage: every attempt fails. Each request records one first attempt, calls the
 * function, and before each retry (up to 3 attempts in all) asks the budget, stopping when refused.
 * Returns the calls that reached the failing function.
 */
/**
 * A clock moved synchronously: the budget only reads `now()`, and 10,000 awaited
 * `ManualClock.advance` calls (a macrotask each) would take seconds under coverage.
 */
class StepClock extends ManualClock {
  private offset = 0;

  override now(): number {
    return super.now() + this.offset;
  }

  step(ms: number): void {
    this.offset += ms;
  }
}

async function outage(
  budget: RetryBudget | undefined,
  clock: StepClock,
  schedule: readonly number[],
): Promise<number> {
  let calls = 0;
  const failing = (): boolean => {
    calls++;
    return false; // failed
  };
  for (const gap of schedule) {
    clock.step(gap);
    budget?.recordAttempt();
    let ok = failing();
    for (let attempt = 2; attempt <= 3 && !ok; attempt++) {
      if (budget && !budget.tryRetry()) break;
      ok = failing();
    }
  }
  return calls;
}

/**
 * The bound on calls during an outage, in whole buckets of width windowMs / 10.
 *
 * Claim: over a run whose events fall in N consecutive buckets, granted retries
 * R < ratio * A + K * (F + 1), with A the first attempts, F = minPerSecond * windowMs / 1000 and
 * K = ceil(N / 10); so calls = A + R < (1 + ratio) * A + K * (F + 1).
 *
 * Proof: let t1 be the time of the last granted retry and W1 the window at t1 (the 10 buckets
 * ending with t1's). Every retry granted in W1 was granted at or before t1, so all were counted
 * when the last one was checked: R(W1) - 1 < ratio * A1 + F, with A1 <= A(W1) the attempts the
 * window held then. So R(W1) < ratio * A(W1) + F + 1. Let t2 be the last grant before W1 starts,
 * W2 its window (it ends before W1 starts), and so on until no grant is left: W1..WK are disjoint
 * and hold every grant, so R < ratio * A + K * (F + 1). The last buckets of W1..WK lie in the N
 * buckets of the run and are at least 10 apart, so 10 * (K - 1) <= N - 1, K <= ceil(N / 10).
 * As N <= elapsed / bucketMs + 1 when the run starts on a bucket edge, K * F <= minPerSecond *
 * elapsed seconds + F: the floor over the elapsed time plus one window's worth for the edge, plus
 * K for the one retry per window that may cross a fractional limit.
 */
function outageBound(
  { ratio, minPerSecond, windowMs }: Required<RetryBudgetOptions>,
  requests: number,
  start: number,
  end: number,
): number {
  const bucketMs = windowMs / 10;
  const buckets = Math.floor(end / bucketMs) - Math.floor(start / bucketMs) + 1;
  const windows = Math.ceil(buckets / 10);
  const floor = (minPerSecond * windowMs) / 1000;
  return (1 + ratio) * requests + windows * (floor + 1);
}

/** A deterministic pseudo-random sequence in [0, 1) (a 32-bit LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RetryBudget: a full outage', () => {
  const defaults = { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 };

  it('10_000 requests at 100/s: 13_000 calls (bound 13_010) instead of 30_000', async () => {
    const requests = 10_000;
    const schedule = Array.from({ length: requests }, (_, i) => (i === 0 ? 0 : 10)); // every 10 ms

    const unbudgeted = await outage(undefined, new StepClock(), schedule);
    expect(unbudgeted).toBe(3 * requests);

    const clock = new StepClock();
    const start = clock.now();
    const budget = new RetryBudget(defaults, clock);
    const calls = await outage(budget, clock, schedule);
    const end = clock.now(); // start + 99_990: 100 buckets of 1 s, so K = 10 windows
    const bound = outageBound(defaults, requests, start, end);
    expect(bound).toBe(1.2 * 10_000 + 10 * (100 + 1)); // 13_010
    expect(calls).toBeLessThanOrEqual(bound);
    // Also within the bound stated with elapsed time: (1 + ratio) * A + 10/s * 99.99 s + 100 + K.
    expect(calls).toBeLessThanOrEqual(1.2 * requests + 10 * 99.99 + 100 + 10);
    // The bound is nearly tight: 300 retries per 10 s window (200 earned by 1_000 attempts + 100).
    expect(calls).toBe(13_000);
    // Every refusal ends one request: 9_440 ended early, the other 560 made all 3 attempts.
    expect(budget.exhausted).toBe(9_440);
  });

  it.each<[string, Required<RetryBudgetOptions>, number]>([
    ['defaults, bursty traffic', { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 }, 1],
    ['10 %, 1/s, 1 s window', { ratio: 0.1, minPerSecond: 1, windowMs: 1_000 }, 2],
    ['50 %, no floor, 5 s window', { ratio: 0.5, minPerSecond: 0, windowMs: 5_000 }, 3],
    ['floor only, 30 s window', { ratio: 0, minPerSecond: 5, windowMs: 30_000 }, 4],
  ])('stays within the bound with %s (random gaps)', async (_label, options, seed) => {
    const random = lcg(seed);
    const requests = 10_000;
    // Bursts (gap 0) mixed with pauses of up to 2 windows.
    const schedule = Array.from({ length: requests }, () => {
      const r = random();
      return r < 0.6
        ? 0
        : r < 0.995
          ? Math.floor(random() * 50)
          : Math.floor(random() * 2 * options.windowMs);
    });
    schedule[0] = 0;
    const clock = new StepClock();
    const start = clock.now();
    const calls = await outage(new RetryBudget(options, clock), clock, schedule);
    const bound = outageBound(options, requests, start, clock.now());
    expect(calls).toBeLessThanOrEqual(bound);
    expect(calls).toBeLessThan(3 * requests);
  });
});

describe('validateRetryBudgetOptions', () => {
  it.each<[RetryBudgetOptions]>([
    [{}],
    [{ ratio: 0, minPerSecond: 0, windowMs: 0.5 }],
    [{ ratio: 3, minPerSecond: 1_000, windowMs: 86_400_000 }],
  ])('accepts %j', (options) => {
    expect(() => validateRetryBudgetOptions(options, 'budget')).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['ratio', -0.1, 'expected a finite number >= 0, got -0.1'],
    ['ratio', NaN, 'expected a finite number >= 0, got NaN'],
    ['ratio', Infinity, 'expected a finite number >= 0, got Infinity'],
    ['ratio', '0.2', "expected a finite number >= 0, got '0.2'"],
    ['minPerSecond', -1, 'expected a finite number >= 0, got -1'],
    ['minPerSecond', Infinity, 'expected a finite number >= 0, got Infinity'],
    ['minPerSecond', null, 'expected a finite number >= 0, got null'],
    ['windowMs', 0, 'expected a finite number of ms > 0, got 0'],
    ['windowMs', -5, 'expected a finite number of ms > 0, got -5'],
    ['windowMs', Infinity, 'expected a finite number of ms > 0, got Infinity'],
  ])('rejects %s = %p with a ConfigError naming it', (option, value, message) => {
    const options = { [option]: value } as RetryBudgetOptions;
    let error: unknown;
    try {
      validateRetryBudgetOptions(options, 'services.api.retryBudget');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      name: 'ConfigError',
      option: `services.api.retryBudget.${option}`,
      message: `services.api.retryBudget.${option}: ${message}`,
      retryable: false,
    });
  });

  it('is applied by the constructor, naming RetryBudget.<option>', () => {
    expect(() => new RetryBudget({ windowMs: 0 }, new ManualClock())).toThrow(
      new ConfigError('RetryBudget.windowMs', 'expected a finite number of ms > 0, got 0'),
    );
  });
});
