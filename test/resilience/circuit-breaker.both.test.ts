import type { Clock } from '../../src/clock';
import { CircuitOpenError, ConfigError } from '../../src/errors';
import {
  CIRCUIT_BREAKER_DEFAULTS,
  CircuitBreaker,
  validateCircuitBreakerOptions,
  type CircuitBreakerOptions,
} from '../../src/resilience/circuit-breaker';
import { ManualClock } from '../../src/testing/manual-clock';

const boom = new Error('dependency down');

function breaker<C extends Clock = ManualClock>(
  options: CircuitBreakerOptions = {},
  clock: C = new ManualClock() as Clock as C,
) {
  return { cb: new CircuitBreaker('payments', options, clock), clock };
}

/** Runs `n` attempts that all fail, each acquired and reported in turn. */
function fail(cb: CircuitBreaker, n = 1): void {
  for (let i = 0; i < n; i++) cb.failure(cb.acquire(), boom);
}

/** Runs `n` attempts that all succeed, each acquired and reported in turn. */
function succeed(cb: CircuitBreaker, n = 1): void {
  for (let i = 0; i < n; i++) cb.success(cb.acquire());
}

/** The CircuitOpenError `acquire()` throws; fails the test when it does not throw one. */
function refusal(cb: CircuitBreaker): CircuitOpenError {
  try {
    cb.acquire();
  } catch (error) {
    expect(error).toBeInstanceOf(CircuitOpenError);
    return error as CircuitOpenError;
  }
  throw new Error('expected acquire() to throw CircuitOpenError');
}

describe('validateCircuitBreakerOptions', () => {
  it('accepts no options, and every option at its limit', () => {
    expect(() => validateCircuitBreakerOptions({}, 'cb')).not.toThrow();
    expect(() =>
      validateCircuitBreakerOptions(
        {
          consecutiveFailures: 1,
          failureRateThreshold: 1,
          minimumCalls: 1,
          windowMs: 0.5,
          halfOpenAfter: 0,
          halfOpenBackoff: 1,
          maxHalfOpenAfter: 0,
          halfOpenMaxCalls: 1,
          isFailure: () => true,
        },
        'cb',
      ),
    ).not.toThrow();
    expect(() => validateCircuitBreakerOptions({ failureRateThreshold: 0.01 }, 'cb')).not.toThrow();
  });

  it.each<[keyof CircuitBreakerOptions, unknown]>([
    ['consecutiveFailures', 0],
    ['consecutiveFailures', 1.5],
    ['consecutiveFailures', NaN],
    ['failureRateThreshold', 0],
    ['failureRateThreshold', -0.1],
    ['failureRateThreshold', 1.01],
    ['failureRateThreshold', NaN],
    ['failureRateThreshold', '0.5'],
    ['minimumCalls', 0],
    ['minimumCalls', 2.5],
    ['windowMs', 0],
    ['windowMs', -1],
    ['windowMs', Infinity],
    ['halfOpenAfter', -1],
    ['halfOpenAfter', Infinity],
    ['halfOpenBackoff', 0.99],
    ['halfOpenBackoff', Infinity],
    ['halfOpenBackoff', NaN],
    ['maxHalfOpenAfter', -1],
    ['halfOpenMaxCalls', 0],
    ['halfOpenMaxCalls', 1.5],
    ['isFailure', 'yes'],
  ])('rejects %s = %p with a ConfigError naming it', (option, value) => {
    const call = () => validateCircuitBreakerOptions({ [option]: value }, 'ops.pay');
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(`ops.pay.${option}: expected`);
    try {
      call();
    } catch (error) {
      expect((error as ConfigError).option).toBe(`ops.pay.${option}`);
    }
  });

  it('rejects a maxHalfOpenAfter below an explicit halfOpenAfter', () => {
    const call = () =>
      validateCircuitBreakerOptions({ halfOpenAfter: 5_000, maxHalfOpenAfter: 1_000 }, 'cb');
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(
      'cb.maxHalfOpenAfter: maxHalfOpenAfter (1000) must not be less than halfOpenAfter (5000)',
    );
  });

  it('runs in the constructor, naming the option under the circuit', () => {
    expect(() => new CircuitBreaker('pay', { windowMs: 0 }, new ManualClock())).toThrow(
      'CircuitBreaker(pay).windowMs: expected a finite number of ms > 0, got 0',
    );
  });
});

describe('CircuitBreaker, closed', () => {
  it('starts closed and lets calls through', () => {
    const { cb } = breaker();
    expect(cb.name).toBe('payments');
    expect(cb.state).toBe('closed');
    succeed(cb, 3);
    expect(cb.state).toBe('closed');
  });

  it('trips after consecutiveFailures failures in a row, not one before', () => {
    const { cb } = breaker({ consecutiveFailures: 3 });
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('trips after 5 failures in a row by default', () => {
    const { cb } = breaker();
    fail(cb, CIRCUIT_BREAKER_DEFAULTS.consecutiveFailures - 1);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('starts the streak again after a success', () => {
    const { cb } = breaker({ consecutiveFailures: 3 });
    fail(cb, 2);
    succeed(cb);
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('counts errors that isFailure refuses as successes: they reset the streak', () => {
    const notFound = new Error('404');
    const isFailure = jest.fn((error: unknown) => error !== notFound);
    const { cb } = breaker({ consecutiveFailures: 2, isFailure });
    fail(cb);
    cb.failure(cb.acquire(), notFound);
    expect(isFailure).toHaveBeenCalledWith(notFound);
    fail(cb);
    expect(cb.state).toBe('closed');
    cb.failure(cb.acquire(), notFound);
    cb.failure(cb.acquire(), notFound);
    expect(cb.state).toBe('closed');
    fail(cb, 2);
    expect(cb.state).toBe('open');
  });

  it('counts an error as a failure when isFailure itself throws', () => {
    const { cb } = breaker({
      consecutiveFailures: 1,
      isFailure: () => {
        throw new Error('broken predicate');
      },
    });
    expect(() => fail(cb)).not.toThrow();
    expect(cb.state).toBe('open');
  });

  it('hands out plain numbers and never reads the clock without a rate threshold', () => {
    const clock = new ManualClock();
    const now = jest.spyOn(clock, 'now');
    const { cb } = breaker({ consecutiveFailures: 3 }, clock);
    const permit = cb.acquire();
    expect(typeof permit).toBe('number');
    cb.success(permit);
    cb.failure(cb.acquire(), boom);
    expect(now).not.toHaveBeenCalled();
  });
});

describe('CircuitBreaker, failure rate', () => {
  // Streaks never trip these breakers: only the rate does.
  const rate = (options: CircuitBreakerOptions = {}) =>
    breaker({ consecutiveFailures: 1_000, failureRateThreshold: 0.5, ...options });

  it('trips when failures / calls reaches the threshold exactly', () => {
    const { cb } = rate({ minimumCalls: 6 });
    succeed(cb, 3);
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb);
    // 3 of 6 failed: 0.5 >= 0.5.
    expect(cb.state).toBe('open');
  });

  it('does not trip below the threshold', () => {
    const { cb } = rate({ failureRateThreshold: 0.3, minimumCalls: 10 });
    succeed(cb, 8);
    fail(cb, 3);
    // 3 of 11 failed: 0.27 < 0.3.
    expect(cb.state).toBe('closed');
    fail(cb);
    // 4 of 12: 0.33.
    expect(cb.state).toBe('open');
  });

  it('trips at a rate equal to a decimal threshold (no rounding surprise at 0.3)', () => {
    const { cb } = rate({ failureRateThreshold: 0.3, minimumCalls: 10 });
    succeed(cb, 7);
    fail(cb, 3);
    expect(cb.state).toBe('open');
  });

  it('needs minimumCalls calls in the window before the rate counts', () => {
    const { cb } = rate({ minimumCalls: 4 });
    fail(cb, 3);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('needs 10 calls by default', () => {
    const { cb } = rate();
    fail(cb, CIRCUIT_BREAKER_DEFAULTS.minimumCalls - 1);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('forgets calls older than windowMs', async () => {
    const { cb, clock } = rate({ minimumCalls: 4, windowMs: 1_000 });
    fail(cb, 3);
    await clock.advance(1_000);
    fail(cb);
    // The 3 old failures are gone: 1 call in the window.
    expect(cb.state).toBe('closed');
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('forgets old successes too, so they stop diluting the rate', async () => {
    const { cb, clock } = rate({ minimumCalls: 2, windowMs: 1_000 });
    succeed(cb, 10);
    fail(cb);
    await clock.advance(1_000);
    fail(cb);
    // The old calls expired: 1 call in the window, below minimumCalls. Unexpired successes
    // (10 of 12) would keep the next failure below the threshold.
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('keeps a call for at least 90% of windowMs (buckets of windowMs / 10)', async () => {
    const { cb, clock } = rate({ minimumCalls: 4, windowMs: 1_000 });
    await clock.advance(99); // the last ms of a 100 ms bucket
    fail(cb, 3);
    await clock.advance(900); // 900 ms later, still inside the window
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('uses a 60 s window by default', async () => {
    const { cb, clock } = rate({ minimumCalls: 4 });
    fail(cb, 3);
    await clock.advance(CIRCUIT_BREAKER_DEFAULTS.windowMs * 0.9);
    fail(cb);
    expect(cb.state).toBe('open');

    const other = rate({ minimumCalls: 4 });
    fail(other.cb, 3);
    await other.clock.advance(CIRCUIT_BREAKER_DEFAULTS.windowMs);
    fail(other.cb);
    expect(other.cb.state).toBe('closed');
  });

  it('slides: only the buckets that left the window are dropped', async () => {
    const { cb, clock } = rate({ minimumCalls: 6, windowMs: 1_000 });
    fail(cb, 3); // bucket 0
    await clock.advance(500);
    succeed(cb, 3); // bucket 5: window holds 3 of 6, but succeeding never trips
    expect(cb.state).toBe('closed');
    await clock.advance(500); // bucket 10: bucket 0 drops out
    fail(cb, 2);
    // In the window: 3 successes + 2 failures = 5 calls, below minimumCalls.
    expect(cb.state).toBe('closed');
    fail(cb);
    // 3 successes + 3 failures.
    expect(cb.state).toBe('open');
  });

  it('keeps exact totals over many calls spread over time', () => {
    let time = 0;
    const clock: Clock = { now: () => time, setTimer: jest.fn(), clearTimer: jest.fn() };
    const { cb } = breaker(
      { consecutiveFailures: 1_000, failureRateThreshold: 0.6, minimumCalls: 10, windowMs: 1_000 },
      clock,
    );
    // 100_000 calls, one every 7 ms, alternating: the rate hovers at 0.5, below 0.6.
    for (let i = 0; i < 100_000; i++) {
      if (i % 2) fail(cb);
      else succeed(cb);
      time += 7;
    }
    expect(cb.state).toBe('closed');
    time += 1_000;
    fail(cb, 9);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('slides on a clock with negative times', () => {
    let time = -5_050;
    const clock: Clock = { now: () => time, setTimer: jest.fn(), clearTimer: jest.fn() };
    const options = { failureRateThreshold: 1, minimumCalls: 2, windowMs: 1_000 };
    const cb = new CircuitBreaker('neg', options, clock);
    fail(cb);
    time += 1_000;
    fail(cb);
    // The first failure left the window: 1 call, below minimumCalls.
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('starts from an empty window after the breaker closes again', async () => {
    const { cb, clock } = rate({ minimumCalls: 4, halfOpenAfter: 100 });
    fail(cb, 4);
    expect(cb.state).toBe('open');
    await clock.advance(100);
    succeed(cb);
    expect(cb.state).toBe('closed');
    fail(cb, 3);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('still trips on a streak when one comes first', () => {
    const { cb } = breaker({ consecutiveFailures: 2, failureRateThreshold: 1, minimumCalls: 50 });
    fail(cb, 2);
    expect(cb.state).toBe('open');
  });
});

describe('CircuitBreaker, open', () => {
  it('refuses calls with a CircuitOpenError that says when to retry', () => {
    const { cb } = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_500 });
    fail(cb);
    const error = refusal(cb);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CircuitOpenError');
    expect(error.retryable).toBe(false);
    expect(error.circuit).toBe('payments');
    expect(error.retryAfterMs).toBe(1_500);
    expect(error.message).toBe(
      "circuit 'payments' is open after repeated failures; retry in 1500 ms, " +
        'when it lets a trial call through',
    );
  });

  it('counts retryAfterMs down with the clock', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_000 });
    fail(cb);
    await clock.advance(400);
    expect(refusal(cb).retryAfterMs).toBe(600);
    await clock.advance(599);
    expect(refusal(cb).retryAfterMs).toBe(1);
    expect(cb.state).toBe('open');
  });

  it('rounds retryAfterMs up on a fractional clock', () => {
    let time = 0.25;
    const clock: Clock = { now: () => time, setTimer: jest.fn(), clearTimer: jest.fn() };
    const cb = new CircuitBreaker('frac', { consecutiveFailures: 1, halfOpenAfter: 10 }, clock);
    fail(cb);
    time = 5.5;
    expect(refusal(cb).retryAfterMs).toBe(5);
    time = 10.1;
    expect(refusal(cb).retryAfterMs).toBe(1);
  });

  it('stays open for 30 s by default', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 1 });
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(CIRCUIT_BREAKER_DEFAULTS.halfOpenAfter);
    await clock.advance(CIRCUIT_BREAKER_DEFAULTS.halfOpenAfter - 1);
    expect(cb.state).toBe('open');
    await clock.advance(1);
    expect(cb.state).toBe('half-open');
  });

  it('turns half-open by reading the clock, without setting any timer', async () => {
    const clock = new ManualClock();
    const setTimer = jest.spyOn(clock, 'setTimer');
    const { cb } = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_000 }, clock);
    fail(cb);
    await clock.advance(1_000);
    expect(cb.state).toBe('half-open');
    cb.success(cb.acquire());
    expect(setTimer).not.toHaveBeenCalled();
    expect(clock.pendingTimers).toBe(0);
  });

  it('is half-open at once with halfOpenAfter 0', () => {
    const { cb } = breaker({ consecutiveFailures: 1, halfOpenAfter: 0 });
    fail(cb);
    expect(cb.state).toBe('half-open');
    expect(() => cb.acquire()).not.toThrow();
  });
});

describe('CircuitBreaker, half-open', () => {
  /** A breaker tripped by one failure and already half-open. */
  async function halfOpen(options: CircuitBreakerOptions = {}) {
    const rig = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_000, ...options });
    fail(rig.cb, options.consecutiveFailures ?? 1);
    await rig.clock.advance(options.halfOpenAfter ?? 1_000);
    expect(rig.cb.state).toBe('half-open');
    return rig;
  }

  it('lets one trial through by default and refuses the next with retryAfterMs 0', async () => {
    const { cb } = await halfOpen();
    cb.acquire();
    const error = refusal(cb);
    expect(error.retryAfterMs).toBe(0);
    expect(error.circuit).toBe('payments');
    expect(error.message).toBe(
      "circuit 'payments' is half-open and its trial calls are all in flight; " +
        'retry once they finish',
    );
    expect(cb.state).toBe('half-open');
  });

  it('lets exactly halfOpenMaxCalls concurrent trials through', async () => {
    const { cb } = await halfOpen({ halfOpenMaxCalls: 3 });
    cb.acquire();
    cb.acquire();
    cb.acquire();
    expect(refusal(cb).retryAfterMs).toBe(0);
  });

  it('closes on the first trial success, with the streak cleared', async () => {
    const { cb } = await halfOpen({ consecutiveFailures: 2 });
    cb.success(cb.acquire());
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('closes when a trial fails with an error isFailure refuses', async () => {
    const notFound = new Error('404');
    const { cb } = await halfOpen({ isFailure: (error) => error !== notFound });
    cb.failure(cb.acquire(), notFound);
    expect(cb.state).toBe('closed');
  });

  it('re-opens on a trial failure for halfOpenAfter again without backoff', async () => {
    const { cb, clock } = await halfOpen();
    fail(cb);
    expect(cb.state).toBe('open');
    expect(refusal(cb).retryAfterMs).toBe(1_000);
    await clock.advance(1_000);
    expect(cb.state).toBe('half-open');
  });

  it('grows the open period by halfOpenBackoff per failed trial, capped', async () => {
    const { cb, clock } = await halfOpen({ halfOpenBackoff: 2, maxHalfOpenAfter: 5_000 });
    const periods: number[] = [];
    for (let i = 0; i < 5; i++) {
      fail(cb); // a trial fails
      const { retryAfterMs } = refusal(cb);
      periods.push(retryAfterMs);
      await clock.advance(retryAfterMs - 1);
      expect(cb.state).toBe('open');
      await clock.advance(1);
      expect(cb.state).toBe('half-open');
    }
    expect(periods).toEqual([2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it('caps the backoff at 300 s by default', async () => {
    const { cb, clock } = await halfOpen({ halfOpenAfter: 100_000, halfOpenBackoff: 10 });
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(CIRCUIT_BREAKER_DEFAULTS.maxHalfOpenAfter);
    await clock.advance(CIRCUIT_BREAKER_DEFAULTS.maxHalfOpenAfter);
    expect(cb.state).toBe('half-open');
  });

  it('never cuts halfOpenAfter itself down to a lower maxHalfOpenAfter', () => {
    const { cb } = breaker({ consecutiveFailures: 1, halfOpenAfter: 400_000, halfOpenBackoff: 2 });
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(400_000);
  });

  it('starts the backoff again from halfOpenAfter once the breaker closes', async () => {
    const { cb, clock } = await halfOpen({ halfOpenBackoff: 3 });
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(3_000);
    await clock.advance(3_000);
    succeed(cb);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(1_000);
  });

  it('ignores the other trials of a round once the first one has decided', async () => {
    const { cb } = await halfOpen({ halfOpenMaxCalls: 2 });
    const first = cb.acquire();
    const second = cb.acquire();
    cb.success(first);
    expect(cb.state).toBe('closed');
    // consecutiveFailures is 1: were this counted, the breaker would trip.
    cb.failure(second, boom);
    expect(cb.state).toBe('closed');
  });

  it('ignores a late trial success after another trial re-opened the breaker', async () => {
    const { cb } = await halfOpen({ halfOpenMaxCalls: 2 });
    const first = cb.acquire();
    const second = cb.acquire();
    cb.failure(first, boom);
    cb.success(second);
    expect(cb.state).toBe('open');
  });
});

describe('CircuitBreaker, release', () => {
  it('frees a half-open trial slot without changing state', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_000 });
    fail(cb);
    await clock.advance(1_000);
    const trial = cb.acquire();
    expect(refusal(cb).retryAfterMs).toBe(0);
    cb.release(trial);
    expect(cb.state).toBe('half-open');
    const next = cb.acquire();
    expect(refusal(cb).retryAfterMs).toBe(0);
    cb.success(next);
    expect(cb.state).toBe('closed');
  });

  it('counts nothing on a closed breaker: the streak goes on', () => {
    const { cb } = breaker({ consecutiveFailures: 2 });
    fail(cb);
    cb.release(cb.acquire());
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('of a stale permit does not free a slot of a later half-open round', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_000 });
    const old = cb.acquire();
    fail(cb);
    await clock.advance(1_000);
    cb.acquire();
    cb.release(old);
    expect(refusal(cb).retryAfterMs).toBe(0);
  });
});

describe('CircuitBreaker, stale permits', () => {
  /** A permit acquired while closed, then the breaker tripped and turned half-open. */
  async function staleAcrossHalfOpen() {
    const { cb, clock } = breaker({ consecutiveFailures: 1, halfOpenAfter: 1_000 });
    const old = cb.acquire();
    fail(cb);
    await clock.advance(1_000);
    const trial = cb.acquire();
    return { cb, clock, old, trial };
  }

  it('a closed-era success does not close a half-open breaker', async () => {
    const { cb, old, trial } = await staleAcrossHalfOpen();
    cb.success(old);
    expect(cb.state).toBe('half-open');
    expect(refusal(cb).retryAfterMs).toBe(0);
    cb.success(trial);
    expect(cb.state).toBe('closed');
  });

  it('a closed-era failure does not re-open a half-open breaker', async () => {
    const { cb, old, trial } = await staleAcrossHalfOpen();
    cb.failure(old, boom);
    expect(cb.state).toBe('half-open');
    cb.success(trial);
    expect(cb.state).toBe('closed');
  });

  it('failures of calls in flight when it tripped do not extend the open period', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 2, halfOpenAfter: 1_000 });
    const inFlight = [cb.acquire(), cb.acquire(), cb.acquire(), cb.acquire()];
    cb.failure(inFlight[0], boom);
    cb.failure(inFlight[1], boom);
    expect(cb.state).toBe('open');
    await clock.advance(600);
    cb.failure(inFlight[2], boom);
    cb.failure(inFlight[3], boom);
    expect(refusal(cb).retryAfterMs).toBe(400);
  });

  it('a closed-era failure does not count towards a later closed era', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 2, halfOpenAfter: 1_000 });
    const old = cb.acquire();
    fail(cb, 2);
    await clock.advance(1_000);
    succeed(cb);
    fail(cb);
    cb.failure(old, boom);
    expect(cb.state).toBe('closed');
  });

  it('permits from before reset() are ignored', () => {
    const { cb } = breaker({ consecutiveFailures: 1 });
    const old = cb.acquire();
    cb.reset();
    cb.failure(old, boom);
    expect(cb.state).toBe('closed');
  });
});

describe('CircuitBreaker, isolate and reset', () => {
  it('isolate() on a fresh breaker refuses every call until reset()', async () => {
    const { cb, clock } = breaker();
    cb.isolate();
    expect(cb.state).toBe('open');
    const error = refusal(cb);
    expect(error.retryAfterMs).toBe(Infinity);
    expect(error.message).toBe(
      "circuit 'payments' is isolated: it refuses every call until reset() is called",
    );
    await clock.advance(10_000_000);
    expect(cb.state).toBe('open');
    expect(refusal(cb).retryAfterMs).toBe(Infinity);
    cb.reset();
    expect(cb.state).toBe('closed');
    succeed(cb);
  });

  it('reset() on a fresh breaker leaves it closed and working', () => {
    const { cb } = breaker({ consecutiveFailures: 2 });
    cb.reset();
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('reset() closes an open breaker and clears the streak', () => {
    const { cb } = breaker({ consecutiveFailures: 2 });
    fail(cb);
    cb.reset();
    fail(cb);
    expect(cb.state).toBe('closed');
    fail(cb);
    cb.reset();
    expect(cb.state).toBe('closed');
  });

  it('reset() clears the rate window', () => {
    const { cb } = breaker({ consecutiveFailures: 100, failureRateThreshold: 1, minimumCalls: 3 });
    fail(cb, 2);
    cb.reset();
    fail(cb, 2);
    expect(cb.state).toBe('closed');
    fail(cb);
    expect(cb.state).toBe('open');
  });

  it('reset() brings the backoff back to halfOpenAfter', async () => {
    const { cb, clock } = breaker({
      consecutiveFailures: 1,
      halfOpenAfter: 100,
      halfOpenBackoff: 4,
    });
    fail(cb);
    await clock.advance(100);
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(400);
    cb.reset();
    fail(cb);
    expect(refusal(cb).retryAfterMs).toBe(100);
  });

  it('isolate() while half-open makes the trials in flight stale', async () => {
    const { cb, clock } = breaker({ consecutiveFailures: 1, halfOpenAfter: 100 });
    fail(cb);
    await clock.advance(100);
    const trial = cb.acquire();
    cb.isolate();
    cb.success(trial);
    expect(cb.state).toBe('open');
    expect(refusal(cb).retryAfterMs).toBe(Infinity);
  });
});
