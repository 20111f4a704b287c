import { runWithContext, TimeoutError } from '../../src';
import {
  createRetryStrategy,
  executeWithRetryAndTimeout,
  withTimeout,
} from '../../src/service/original-methods';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';
import { configErrorOf } from '../helpers';

function setup() {
  const clock = new ManualClock();
  const waits: number[] = [];
  const core = new ServiceCore({
    clock,
    retryJitter: 'none',
    retryBackoff: 100,
    retryMinDelay: 100,
    sleep: (ms, signal) => {
      waits.push(ms);
      return clock.sleep(ms, signal);
    },
  });
  return { core, clock, waits };
}

/** Fails `failures` times, then resolves with the number of the attempt that succeeded. */
function flaky(failures: number): () => Promise<number> {
  let calls = 0;
  return async () => {
    if (++calls <= failures) throw new Error(`attempt ${calls} failed`);
    return calls;
  };
}

describe('createRetryStrategy', () => {
  it("retries with the service's defaults and the overrides, counted under the metric name", async () => {
    const { core, waits } = setup();
    const retry = createRetryStrategy(core, 'fetchRates', { attempts: 3 });
    await expect(retry(flaky(2))()).resolves.toBe(3);
    expect(waits).toEqual([100, 200]);
    expect(core.stats.snapshot('fetchRates').retries).toBe(2);
  });

  it('passes this and the arguments through', async () => {
    const { core } = setup();
    const retry = createRetryStrategy(core, 'add', {});
    const add = retry(async function (this: { base: number }, n: number) {
      return this.base + n;
    });
    await expect(add.call({ base: 1 }, 2)).resolves.toBe(3);
  });

  it('refuses invalid overrides, and a non-function to decorate', () => {
    const { core } = setup();
    expect(configErrorOf(() => createRetryStrategy(core, 'm', { attempts: 0 })).message).toContain(
      'createRetryStrategy(m)',
    );
    const retry = createRetryStrategy(core, 'm', {});
    expect(() => retry(1 as unknown as () => Promise<void>)).toThrow('createRetryStrategy(m)(fn)');
  });
});

describe('withTimeout', () => {
  it("resolves with the function's value", async () => {
    const { core } = setup();
    await expect(withTimeout(core, 100, () => 'v')).resolves.toBe('v');
  });

  it('aborts the signal it gives the function, and rejects with TimeoutError, at ms', async () => {
    const { core, clock } = setup();
    let signal: AbortSignal | undefined;
    const result = withTimeout(core, 100, function load(s) {
      signal = s;
      return new Promise(() => {});
    }).catch((e: unknown) => e);
    await clock.advance(100);
    const error = await result;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ operation: 'load', timeoutMs: 100 });
    expect(signal?.aborted).toBe(true);
    expect(core.stats.snapshot('load').timeouts).toBe(1);
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const { core } = setup();
    const controller = new AbortController();
    const result = runWithContext({ signal: controller.signal }, () =>
      withTimeout(core, 1_000, () => new Promise(() => {})),
    );
    controller.abort(new Error('caller left'));
    await expect(result).rejects.toThrow('caller left');
  });

  it('refuses a bad ms and a non-function', () => {
    const { core } = setup();
    expect(configErrorOf(() => withTimeout(core, -1, () => 1)).message).toContain('ms');
    expect(configErrorOf(() => withTimeout(core, 1, 1 as never)).message).toContain('fn');
  });
});

describe('executeWithRetryAndTimeout', () => {
  it('retries with the service defaults and passes the arguments', async () => {
    const { core } = setup();
    let calls = 0;
    const fn = async (...args: unknown[]): Promise<unknown[]> => {
      if (++calls < 2) throw new Error('transient');
      return args;
    };
    await expect(executeWithRetryAndTimeout(core, fn, 10_000, ['a', 1])).resolves.toEqual(['a', 1]);
  });

  it('bounds the whole call, waits included, by one deadline', async () => {
    const { core } = setup();
    const error = await executeWithRetryAndTimeout(core, flaky(5), 150, []).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(150);
    expect(((error as TimeoutError).cause as Error).message).toBe('attempt 2 failed');
  });

  it('refuses a bad timeout and a non-function', () => {
    const { core } = setup();
    expect(
      configErrorOf(() => executeWithRetryAndTimeout(core, flaky(0), -1, [])).message,
    ).toContain('timeout');
    expect(
      configErrorOf(() => executeWithRetryAndTimeout(core, 1 as never, 1, [])).message,
    ).toContain('fn');
  });
});
