/**
 * An ES module consumer compiled against the packed tarball with TypeScript 5 standard decorators
 * (experimentalDecorators off, module nodenext, target ES2022; see check.sh and
 * tsconfig.esm.json). tsyringe's `@injectable` needs legacy decorators, so the service is built
 * with `new` and reaches the ExecutionUtils registered in the container through the decorators.
 * Real timers: a cached call, a retried call and a call that times out.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  Cached,
  currentSignal,
  ExecutionUtils,
  Retry,
  runWithContext,
  Timeout,
  TimeoutError,
} from 'execution-utils';
import { ManualClock } from 'execution-utils/testing';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`consumer (esm, standard decorators): ${what}`);
}

class Weather {
  loads = 0;
  attempts = 0;
  aborted = false;

  @Cached({ ttl: 60_000 })
  async forecast(city: string): Promise<string> {
    this.loads++;
    return `${city}: sunny`;
  }

  @Retry({ attempts: 3, backoff: 1, minDelay: 1, maxDelay: 5, jitter: 'none' })
  async flaky(): Promise<number> {
    if (++this.attempts < 3) throw new Error(`transient failure ${this.attempts}`);
    return this.attempts;
  }

  @Timeout(50)
  async slow(): Promise<string> {
    const signal = currentSignal();
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('too late'), 5_000);
      signal?.addEventListener('abort', () => {
        this.aborted = true;
        clearTimeout(timer);
      });
    });
  }
}

const utils = new ExecutionUtils({ cacheSize: 100 });
container.registerInstance(ExecutionUtils, utils);
check(
  container.resolve(ExecutionUtils) === utils,
  'the container did not return the registered instance',
);

const weather = new Weather();
const ctx = { userId: 'alice', taskId: 'daily' };
const first = await runWithContext(ctx, () => weather.forecast('Paris'));
const second = await runWithContext(ctx, () => weather.forecast('Paris'));
check(first === 'Paris: sunny' && second === first, `cached value ${first} / ${second}`);
check(weather.loads === 1, `cached method ran ${weather.loads} times, expected 1`);
check(utils.getStats().hits === 1, `hits ${utils.getStats().hits}, expected 1 (wrong instance?)`);

check((await weather.flaky()) === 3, 'retried call did not return its third result');
check(weather.attempts === 3, `retried method ran ${weather.attempts} times, expected 3`);
check(utils.getStats().retries === 2, `retries ${utils.getStats().retries}, expected 2`);

const started = Date.now();
const error = await weather.slow().then(
  (value) => value,
  (e: unknown) => e,
);
const elapsed = Date.now() - started;
check(error instanceof TimeoutError, `expected a TimeoutError, got ${String(error)}`);
const timeout = error as TimeoutError;
check(timeout.timeoutMs === 50 && timeout.operation === 'Weather.slow', timeout.message);
check(weather.aborted, "the timed-out work's signal was not aborted");
check(elapsed >= 45 && elapsed < 2_000, `timed out after ${elapsed} ms, expected ~50`);

const clock = new ManualClock();
const manual = new ExecutionUtils({ clock, sleep: async () => {} });
manual.addToCache('k', 'v', 1_000);
check(manual.getFromCache('k') === 'v', 'ManualClock: entry missing before its TTL');
await clock.advance(1_001);
check(manual.getFromCache('k') === undefined, 'ManualClock: entry outlived its TTL');

await utils.close();
console.log(
  `consumer (esm, standard decorators) ok: hits=${utils.getStats().hits}, retries=${utils.getStats().retries}, timeout after ${elapsed} ms`,
);
