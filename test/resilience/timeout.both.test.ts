import { ConfigError, ManualClock, TimeoutError, runWithContext } from '../../src';
import {
  InnerService,
  OuterService,
  TimeoutService,
  flush,
  hostProcess,
  observe,
  type Observed,
} from '../fixtures/resilience-services';
import { deferred, rig } from '../helpers';

const never = (): Promise<never> => new Promise<never>(() => {});

const TEN_YEARS_MS = 10 * 365 * 24 * 3_600_000;

/** Asserts `call` is still pending 1 ms before `ms` and rejects with TimeoutError at `ms`. */
async function expectTimeoutAt(
  clock: ManualClock,
  call: Observed<unknown>,
  ms: number,
): Promise<TimeoutError> {
  await clock.advance(ms - 1);
  expect(call.settled).toBe(false);
  await clock.advance(1);
  expect(call.error).toBeInstanceOf(TimeoutError);
  expect((call.error as TimeoutError).timeoutMs).toBe(ms);
  return call.error as TimeoutError;
}

describe('@Timeout', () => {
  it('rejects with TimeoutError when the limit passes, although the method never settles', async () => {
    const { clock } = rig();
    const svc = new TimeoutService();
    svc.script = never;
    const call = observe(svc.limited());
    const error = await expectTimeoutAt(clock, call, 100);
    expect(error).toMatchObject({
      name: 'TimeoutError',
      timeoutMs: 100,
      operation: 'TimeoutService.limited',
    });
  });

  it("aborts the method's currentSignal() with the TimeoutError as the reason", async () => {
    const { clock } = rig();
    const svc = new TimeoutService();
    svc.script = never;
    const call = observe(svc.limited());
    await clock.advance(99);
    expect(svc.signals[0]?.aborted).toBe(false);
    await clock.advance(1);
    expect(svc.signals[0]?.aborted).toBe(true);
    expect(svc.signals[0]?.reason).toBe(call.error);
  });

  it('never lets the abandoned work rejecting later become an unhandled rejection', async () => {
    const { clock } = rig();
    const svc = new TimeoutService();
    const abandoned = deferred<never>();
    svc.script = () => abandoned.promise;
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    const host = hostProcess();
    host.on('unhandledRejection', listener);
    try {
      const call = observe(svc.limited());
      await clock.advance(100);
      expect(call.error).toBeInstanceOf(TimeoutError);
      abandoned.reject(new Error('late failure'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      host.off('unhandledRejection', listener);
    }
  });

  it('never caches the late value of a timed-out attempt', async () => {
    const { clock } = rig();
    const svc = new TimeoutService();
    const late = deferred<string>();
    svc.script = async (call) => (call === 1 ? late.promise : `fresh ${call}`);
    const first = observe(svc.cachedLimited('k'));
    await clock.advance(100);
    expect(first.error).toBeInstanceOf(TimeoutError);
    late.resolve('late');
    await flush();
    await expect(svc.cachedLimited('k')).resolves.toBe('fresh 2');
    expect(svc.calls).toBe(2);
  });

  describe('leaves no timer behind', () => {
    it('after a call that resolves in time', async () => {
      const { clock } = rig();
      const svc = new TimeoutService();
      svc.script = async () => 'in time';
      await expect(svc.limited()).resolves.toBe('in time');
      expect(clock.pendingTimers).toBe(0);
    });

    it('after a call that rejects in time', async () => {
      const { clock } = rig();
      const svc = new TimeoutService();
      const error = new Error('failed fast');
      svc.script = async () => {
        throw error;
      };
      await expect(svc.limited()).rejects.toBe(error);
      expect(clock.pendingTimers).toBe(0);
    });

    it('after a call that times out', async () => {
      const { clock } = rig();
      const svc = new TimeoutService();
      svc.script = never;
      const call = observe(svc.limited());
      await clock.advance(100);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect(clock.pendingTimers).toBe(0);
    });

    it('after a call its caller aborted', async () => {
      const { clock } = rig();
      const svc = new TimeoutService();
      svc.script = never;
      const controller = new AbortController();
      const call = observe(runWithContext({ signal: controller.signal }, () => svc.limited()));
      await flush();
      controller.abort(new Error('caller gave up'));
      await flush();
      expect(call.settled).toBe(true);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  it('counts each timeout in getStats().timeouts', async () => {
    const { clock, utils } = rig();
    const svc = new TimeoutService();
    svc.script = async (call) => (call === 3 ? 'in time' : never());
    const first = observe(svc.limited());
    const second = observe(svc.limited());
    await clock.advance(100);
    await expect(svc.limited()).resolves.toBe('in time');
    expect(first.error).toBeInstanceOf(TimeoutError);
    expect(second.error).toBeInstanceOf(TimeoutError);
    expect(utils.getStats().timeouts).toBe(2);
  });

  describe('nested decorated calls', () => {
    it("abort the inner method's currentSignal() when the outer @Timeout fires", async () => {
      const { clock } = rig();
      const inner = new InnerService();
      inner.script = never;
      const call = observe(new OuterService(inner).outer());
      await clock.advance(100);
      expect(call.error).toBeInstanceOf(TimeoutError);
      expect((call.error as TimeoutError).operation).toBe('OuterService.outer');
      expect(inner.signals[0]?.aborted).toBe(true);
      expect(inner.signals[0]?.reason).toBe(call.error);
    });

    it('do not retry the inner call once the outer @Timeout fired', async () => {
      const { clock, waits } = rig();
      const inner = new InnerService();
      inner.script = never;
      const call = observe(new OuterService(inner).outer());
      await clock.advance(100);
      expect(call.error).toBeInstanceOf(TimeoutError);
      await clock.advance(5_000);
      expect(inner.calls).toBe(1);
      expect(waits).toEqual([]);
    });
  });

  it('rejects at once with the abort reason when the caller aborts during an attempt', async () => {
    const { clock } = rig();
    const svc = new TimeoutService();
    svc.script = never;
    const controller = new AbortController();
    const call = observe(runWithContext({ signal: controller.signal }, () => svc.limited()));
    await flush();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await flush();
    expect(call.settled).toBe(true);
    expect(call.error).toBe(reason);
    expect(clock.now()).toBe(1_000_000);
  });

  describe('limit', () => {
    it('is defaultTimeout for @Timeout() without an argument', async () => {
      const { clock } = rig({ defaultTimeout: 250 });
      const svc = new TimeoutService();
      svc.script = never;
      await expectTimeoutAt(clock, observe(svc.usesDefault()), 250);
    });

    it('is changed by setOperationTimeout(Class.method) from the next call on', async () => {
      const { clock, utils } = rig();
      const svc = new TimeoutService();
      svc.script = async (call) => (call === 1 ? 'first' : never());
      await expect(svc.tunable()).resolves.toBe('first');
      utils.setOperationTimeout('TimeoutService.tunable', 50);
      await expectTimeoutAt(clock, observe(svc.tunable()), 50);
    });

    it("is the operation profile's timeout when one is configured", async () => {
      const { clock } = rig({ operations: { 'TimeoutService.tunable': { timeout: 70 } } });
      const svc = new TimeoutService();
      svc.script = never;
      await expectTimeoutAt(clock, observe(svc.tunable()), 70);
    });

    it('of @Timeout({ operation }) is read from setOperationTimeout(operation)', async () => {
      const { clock, utils } = rig();
      utils.setOperationTimeout('shared-op', 40);
      const svc = new TimeoutService();
      svc.script = never;
      await expectTimeoutAt(clock, observe(svc.shared()), 40);
    });
  });
});

describe('withTimeout', () => {
  it('passes fn a signal that aborts when the limit passes', async () => {
    const { clock, utils } = rig();
    let signal: AbortSignal | undefined;
    const call = observe(
      utils.withTimeout(100, (s) => {
        signal = s;
        return never();
      }),
    );
    await clock.advance(99);
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(call.error);
  });

  it('rejects with TimeoutError at the limit although fn never settles', async () => {
    const { clock, utils } = rig();
    const call = observe(utils.withTimeout(100, never));
    const error = await expectTimeoutAt(clock, call, 100);
    expect(error.name).toBe('TimeoutError');
  });

  it("resolves with fn's value when it settles in time, leaving no timer", async () => {
    const { clock, utils } = rig();
    await expect(utils.withTimeout(100, async () => 'in time')).resolves.toBe('in time');
    expect(clock.pendingTimers).toBe(0);
  });

  it.each([-5, NaN, '100'])('throws ConfigError for a limit of %p ms', (ms) => {
    const { utils } = rig();
    expect(() => utils.withTimeout(ms as number, async () => 'never run')).toThrow(ConfigError);
  });

  it.each([0, Infinity])('runs without a time limit or a timer for a limit of %p', async (ms) => {
    const { clock, utils } = rig();
    const work = deferred<string>();
    const call = utils.withTimeout(ms, () => work.promise);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(TEN_YEARS_MS);
    work.resolve('late but fine');
    await expect(call).resolves.toBe('late but fine');
  });
});
