import fc from 'fast-check';
import { Retry, type Jitter } from '../../src';
import { rig } from '../helpers';
import { PROPERTY_RUNS, check, forgetRegisteredServices, timeoutFor } from './runs';

/**
 * @Retry, as README "@Retry" states it: `attempts` is total calls; the wait before retry n is
 * `clamp(backoff * 2^(n-1), minDelay, maxDelay)`, then jitter ('none': exact, 'equal': between
 * half and all of it, 'full': 0..it); no wait after the last attempt. The policy comes from the
 * service's defaults (`retryAttempts`, `retryBackoff`, ...), so each case builds its own service
 * with the rig, whose sleep returns at once and records every wait.
 */

class Flaky {
  calls = 0;
  /** How many calls fail before one succeeds. */
  failures = 0;

  @Retry()
  async call(): Promise<string> {
    this.calls++;
    if (this.calls <= this.failures) throw new Error(`failure ${this.calls}`);
    return `success on call ${this.calls}`;
  }
}

interface Policy {
  readonly attempts: number;
  readonly backoff: number;
  readonly minDelay: number;
  readonly maxDelay: number;
}

/** Whole and fractional milliseconds, from 0 to far past any clamp. */
const ms = fc.oneof(
  fc.constantFrom(0, 1, 1000, 10_000),
  fc.integer({ min: 0, max: 100_000 }),
  fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }),
);

const policy: fc.Arbitrary<Policy> = fc
  .record({ attempts: fc.integer({ min: 1, max: 6 }), backoff: ms, a: ms, b: ms })
  .map(({ attempts, backoff, a, b }) => ({
    attempts,
    backoff,
    minDelay: Math.min(a, b),
    maxDelay: Math.max(a, b),
  }));

/** Failures before the first success: from none to more than any `attempts`. */
const failures = fc.integer({ min: 0, max: 7 });

/** What `random()` returns, in turn: anywhere in [0, 1), its two ends included. */
const randoms = fc.array(
  fc.oneof(
    fc.constantFrom(0, 1 - 2 ** -53),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  ),
  { minLength: 1, maxLength: 6 },
);

/** The delay before retry `n` (1 = the first retry), before jitter: the README's formula. */
const delayBefore = (n: number, p: Policy): number =>
  Math.min(p.maxDelay, Math.max(p.minDelay, p.backoff * 2 ** (n - 1)));

interface Outcome {
  readonly calls: number;
  readonly resolved: boolean;
  readonly waits: readonly number[];
}

/** One call of a method that fails `k` times then succeeds, under `p` and `jitter`. */
async function run(
  p: Policy,
  jitter: Jitter,
  k: number,
  random: readonly number[],
): Promise<Outcome> {
  let draws = 0;
  const { waits } = rig({
    cacheSize: 0,
    retryAttempts: p.attempts,
    retryBackoff: p.backoff,
    retryMinDelay: p.minDelay,
    retryMaxDelay: p.maxDelay,
    retryJitter: jitter,
    random: () => random[draws++ % random.length],
  });
  try {
    const flaky = new Flaky();
    flaky.failures = k;
    const resolved = await flaky.call().then(
      () => true,
      () => false,
    );
    return { calls: flaky.calls, resolved, waits };
  } finally {
    forgetRegisteredServices();
  }
}

/** Checks every wait against `[low(delay), high(delay)]`, where `delay` is retry n's backoff. */
function checkWaits(
  p: Policy,
  outcome: Outcome,
  bounds: (delay: number) => readonly [number, number],
): void {
  for (const [i, wait] of outcome.waits.entries()) {
    const delay = delayBefore(i + 1, p);
    const [low, high] = bounds(delay);
    check(
      wait >= low && wait <= high,
      () => `wait before retry ${i + 1} was ${wait}, outside [${low}, ${high}] (delay ${delay})`,
    );
  }
}

const JITTERS: readonly Jitter[] = ['none', 'equal', 'full'];

describe('@Retry properties', () => {
  it(
    'runs a method that fails k times min(k + 1, attempts) times, resolves iff k < attempts, and waits only between attempts',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          policy,
          fc.constantFrom(...JITTERS),
          failures,
          randoms,
          async (p, jitter, k, random) => {
            const outcome = await run(p, jitter, k, random);
            check(
              outcome.calls === Math.min(k + 1, p.attempts),
              () => `ran ${outcome.calls} times, expected ${Math.min(k + 1, p.attempts)}`,
            );
            check(outcome.resolved === k < p.attempts, () => `resolved: ${outcome.resolved}`);
            // One wait before each retry, none after the last attempt.
            check(
              outcome.waits.length === outcome.calls - 1,
              () => `${outcome.waits.length} waits for ${outcome.calls} calls`,
            );
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.5),
  );

  it(
    'waits exactly clamp(backoff * 2^(n-1), minDelay, maxDelay) before retry n without jitter',
    async () => {
      await fc.assert(
        fc.asyncProperty(policy, failures, async (p, k) => {
          const outcome = await run(p, 'none', k, [0.5]);
          checkWaits(p, outcome, (delay) => [delay, delay]);
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.5),
  );

  it(
    "waits between half and all of retry n's delay with 'equal' jitter",
    async () => {
      await fc.assert(
        fc.asyncProperty(policy, failures, randoms, async (p, k, random) => {
          const outcome = await run(p, 'equal', k, random);
          checkWaits(p, outcome, (delay) => [delay / 2, delay]);
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.5),
  );

  it(
    "waits between 0 and retry n's delay with 'full' jitter",
    async () => {
      await fc.assert(
        fc.asyncProperty(policy, failures, randoms, async (p, k, random) => {
          const outcome = await run(p, 'full', k, random);
          checkWaits(p, outcome, (delay) => [0, delay]);
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.5),
  );
});
