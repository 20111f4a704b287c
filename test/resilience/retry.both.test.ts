import { CacheKeyError, ConfigError, runWithContext, type RetryInfo } from '../../src';
import {
  NotWorthRetrying,
  RetryService,
  TransientError,
  defaultSleepRig,
  flush,
  observe,
  retryHooks,
} from '../fixtures/resilience-services';
import { deferred, rig } from '../helpers';

/** A script that fails every call with a new TransientError naming the call. */
const alwaysFails = async (call: number): Promise<never> => {
  throw new TransientError(`failure ${call}`);
};

afterEach(() => {
  retryHooks.onRetry = () => {};
});

describe('@Retry', () => {
  it('runs the method exactly `attempts` times when every call fails', async () => {
    rig();
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.threeAttempts()).rejects.toThrow('failure 3');
    expect(svc.calls).toBe(3);
  });

  it('stops at the first attempt that succeeds and returns its value', async () => {
    rig();
    const svc = new RetryService();
    svc.script = async (call) => {
      if (call === 1) throw new TransientError('first failure');
      return `value ${call}`;
    };
    await expect(svc.threeAttempts()).resolves.toBe('value 2');
    expect(svc.calls).toBe(2);
  });

  it('does not wait after the last attempt', async () => {
    const { waits } = rig();
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.threeAttempts()).rejects.toThrow(TransientError);
    expect(waits).toHaveLength(2);
  });

  it("rethrows the last attempt's error unchanged: same object, still its own class", async () => {
    rig();
    const svc = new RetryService();
    const errors = [new TransientError('a'), new TransientError('b'), new TransientError('c')];
    svc.script = async (call) => {
      throw errors[call - 1];
    };
    const call = observe(svc.threeAttempts());
    await flush();
    expect(call.error).toBe(errors[2]);
    expect(call.error).toBeInstanceOf(TransientError);
  });

  describe('never retries', () => {
    it('a call whose caller aborted while the method was running', async () => {
      rig();
      const svc = new RetryService();
      const gate = deferred<never>();
      svc.script = () => gate.promise;
      const controller = new AbortController();
      const call = observe(
        runWithContext({ signal: controller.signal }, () => svc.threeAttempts()),
      );
      await flush();
      controller.abort(new Error('caller gave up'));
      const failure = new TransientError('failed after the abort');
      gate.reject(failure);
      await flush();
      expect(call.error).toBe(failure);
      expect(svc.calls).toBe(1);
    });

    it('a call whose caller aborted after a failure, before the retry', async () => {
      rig();
      const svc = new RetryService();
      svc.script = alwaysFails;
      const controller = new AbortController();
      retryHooks.onRetry = () => controller.abort(new Error('caller gave up'));
      const call = observe(runWithContext({ signal: controller.signal }, () => svc.observed()));
      await flush();
      expect(call.settled).toBe(true);
      expect(svc.calls).toBe(1);
    });

    it('a ConfigError', async () => {
      rig();
      const svc = new RetryService();
      const error = new ConfigError('endpoint', 'expected a URL');
      svc.script = async () => {
        throw error;
      };
      await expect(svc.threeAttempts()).rejects.toBe(error);
      expect(svc.calls).toBe(1);
    });

    it('a CacheKeyError', async () => {
      rig();
      const svc = new RetryService();
      const error = new CacheKeyError('args[0]', 'a function');
      svc.script = async () => {
        throw error;
      };
      await expect(svc.threeAttempts()).rejects.toBe(error);
      expect(svc.calls).toBe(1);
    });

    it('an error marked retryable = false', async () => {
      rig();
      const svc = new RetryService();
      const error = Object.assign(new Error('permanent'), { retryable: false });
      svc.script = async () => {
        throw error;
      };
      await expect(svc.threeAttempts()).rejects.toBe(error);
      expect(svc.calls).toBe(1);
    });

    it('an error that retryOn refuses', async () => {
      rig();
      const svc = new RetryService();
      const error = new NotWorthRetrying('bad request');
      svc.script = async () => {
        throw error;
      };
      await expect(svc.selective()).rejects.toBe(error);
      expect(svc.calls).toBe(1);
    });
  });

  it('retries an error that retryOn accepts', async () => {
    rig();
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.selective()).rejects.toThrow('failure 3');
    expect(svc.calls).toBe(3);
  });

  describe('with the default sleep, a caller abort during a wait', () => {
    /** A call in its first (1000 ms) wait on the clock when its caller aborts. */
    async function abortDuringFirstWait() {
      const { clock } = defaultSleepRig();
      const svc = new RetryService();
      svc.script = alwaysFails;
      const controller = new AbortController();
      const call = observe(
        runWithContext({ signal: controller.signal }, () => svc.threeAttempts()),
      );
      await flush();
      expect(clock.pendingTimers).toBe(1); // the wait before attempt 2 has started
      const reason = new Error('caller gave up');
      controller.abort(reason);
      await flush();
      return { clock, svc, call, reason };
    }

    it('rejects at once with the abort reason', async () => {
      const { call, reason } = await abortDuringFirstWait();
      expect(call.settled).toBe(true);
      expect(call.error).toBe(reason);
    });

    it('leaves no timer behind', async () => {
      const { clock } = await abortDuringFirstWait();
      expect(clock.pendingTimers).toBe(0);
    });

    it('does not call the method again', async () => {
      const { clock, svc } = await abortDuringFirstWait();
      await clock.advance(60_000);
      expect(svc.calls).toBe(1);
    });
  });

  it('passes onRetry the failed attempt, its error, the coming delay and the operation', async () => {
    rig();
    const svc = new RetryService();
    const errors = [new TransientError('a'), new TransientError('b'), new TransientError('c')];
    svc.script = async (call) => {
      throw errors[call - 1];
    };
    const infos: RetryInfo[] = [];
    retryHooks.onRetry = (info) => infos.push(info);
    await expect(svc.observed()).rejects.toBe(errors[2]);
    expect(infos).toEqual([
      { attempt: 1, error: errors[0], delayMs: 10, operation: 'RetryService.observed' },
      { attempt: 2, error: errors[1], delayMs: 20, operation: 'RetryService.observed' },
    ]);
    expect(infos[0].error).toBe(errors[0]);
    expect(infos[1].error).toBe(errors[1]);
  });

  it('ignores an onRetry that throws: the call still retries and succeeds', async () => {
    rig();
    const svc = new RetryService();
    svc.script = async (call) => {
      if (call === 1) throw new TransientError('first failure');
      return 'recovered';
    };
    retryHooks.onRetry = () => {
      throw new Error('listener broke');
    };
    await expect(svc.observed()).resolves.toBe('recovered');
    expect(svc.calls).toBe(2);
  });

  it('counts each wait in getStats().retries', async () => {
    const { utils, waits } = rig();
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.threeAttempts()).rejects.toThrow(TransientError);
    svc.script = async () => 'ok';
    await expect(svc.threeAttempts()).resolves.toBe('ok');
    expect(utils.getStats().retries).toBe(2);
    expect(waits).toHaveLength(2);
  });

  describe('operation profiles', () => {
    it("override the decorator's attempts for `Class.method`", async () => {
      rig({ operations: { 'RetryService.profiled': { retry: { attempts: 5 } } } });
      const svc = new RetryService();
      svc.script = alwaysFails;
      await expect(svc.profiled()).rejects.toThrow('failure 5');
      expect(svc.calls).toBe(5);
    });

    it("are used whole by @Retry('profileName')", async () => {
      const { waits } = rig({
        operations: {
          'flaky-backend': { retry: { attempts: 4, backoff: 7, minDelay: 7, maxDelay: 7 } },
        },
      });
      const svc = new RetryService();
      svc.script = alwaysFails;
      await expect(svc.named()).rejects.toThrow('failure 4');
      expect(svc.calls).toBe(4);
      expect(waits).toEqual([7, 7, 7]);
    });

    it("make @Retry('missing') reject with ConfigError at the first call, without running it", async () => {
      rig();
      const svc = new RetryService();
      let result: Promise<unknown> | undefined;
      expect(() => {
        result = svc.missing();
      }).not.toThrow();
      await expect(result).rejects.toBeInstanceOf(ConfigError);
      expect(svc.calls).toBe(0);
    });
  });
});

describe('createRetryStrategy', () => {
  it('retries a plain async function with the service defaults plus the overrides', async () => {
    const { utils, waits } = rig({
      retryAttempts: 2,
      retryBackoff: 10,
      retryMinDelay: 10,
      retryMaxDelay: 1000,
    });
    let calls = 0;
    const fetchUser = utils.createRetryStrategy('fetchUser', { attempts: 4 })(async () => {
      calls++;
      throw new TransientError(`failure ${calls}`);
    });
    await expect(fetchUser()).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 20, 40]);
  });

  it('passes the arguments and keeps `this` on every attempt', async () => {
    const { utils } = rig();
    const client = {
      name: 'client-1',
      seen: [] as unknown[],
      fetch: utils.createRetryStrategy('fetch')(async function (
        this: { name: string; seen: unknown[] },
        id: string,
      ) {
        this.seen.push(this);
        if (this.seen.length === 1) throw new TransientError('first failure');
        return `${this.name}:${id}`;
      }),
    };
    await expect(client.fetch('u1')).resolves.toBe('client-1:u1');
    expect(client.seen).toEqual([client, client]);
  });

  it('names the operation after metricName in onRetry', async () => {
    const { utils } = rig({ retryBackoff: 10, retryMinDelay: 10 });
    const infos: RetryInfo[] = [];
    const error = new TransientError('down');
    const fetchUser = utils.createRetryStrategy('fetchUser', {
      attempts: 2,
      onRetry: (info) => infos.push(info),
    })(async () => {
      throw error;
    });
    await expect(fetchUser()).rejects.toBe(error);
    expect(infos).toEqual([{ attempt: 1, error, delayMs: 10, operation: 'fetchUser' }]);
  });
});
