import {
  BulkheadRejectedError,
  CircuitOpenError,
  ConfigError,
  RateLimitedError,
  TimeoutError,
} from '../../src';
import type { AnyMethod } from '../../src/decorators/types';
import {
  compilePipeline,
  type PipelineRuntime,
  type PipelineSpec,
} from '../../src/pipeline/compile';
import { OperationClaims } from '../../src/pipeline/operation-claims';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';
import { deferred } from '../helpers';

/** What a pipeline is compiled from, borrowed from a service core on a manual clock. */
function runtimeOf(options: { cache?: boolean } = {}) {
  const clock = new ManualClock();
  const core = new ServiceCore({
    clock,
    retryJitter: 'none',
    retryMinDelay: 10,
    retryBackoff: 10,
    sleep: (ms, signal) => clock.sleep(ms, signal),
  });
  const runtime: PipelineRuntime = {
    options: core.options,
    clock,
    probe: (operation) => core.probe(operation),
    retry: core.retryRuntime,
    operationTimeouts: core.operationTimeouts,
    faults: core.faults,
    policies: core.policies,
    cache: options.cache === false ? undefined : core.cache,
  };
  return { runtime, clock, core };
}

function spec(original: AnyMethod, policies: Partial<PipelineSpec> = {}): PipelineSpec {
  return { original, operation: 'Svc.op', identity: original, explicitName: false, ...policies };
}

function compile(s: PipelineSpec, runtime = runtimeOf().runtime) {
  return compilePipeline(s, runtime, new OperationClaims());
}

describe('compilePipeline', () => {
  it('calls the method with this and the arguments, and returns a sync result as it is', () => {
    const self = { base: 10 };
    const stage = compile(
      spec(function (this: { base: number }, n: number) {
        return this.base + n;
      }),
    );
    expect(stage(self, [5])).toBe(15);
  });

  it('makes every call async once a policy past the cache is asked for', async () => {
    const stage = compile(spec(() => 'sync', { retry: { attempts: 2 } }));
    const result = stage(undefined, []);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe('sync');
  });

  it('serves a second call with the same arguments from the cache', async () => {
    let calls = 0;
    const stage = compile(spec(async (id: number) => `${id}-${++calls}`, { cache: {} }));
    await expect(stage(undefined, [1])).resolves.toBe('1-1');
    await expect(stage(undefined, [1])).resolves.toBe('1-1');
    expect(calls).toBe(1);
  });

  it('runs every call when the runtime has no cache (caching off or service closed)', async () => {
    let calls = 0;
    const { runtime } = runtimeOf({ cache: false });
    const stage = compile(
      spec(async () => ++calls, { cache: {} }),
      runtime,
    );
    await stage(undefined, []);
    await stage(undefined, []);
    expect(calls).toBe(2);
  });

  it('caches only the final result of a retried call (cache outside retry)', async () => {
    let calls = 0;
    const stage = compile(
      spec(
        async () => {
          if (++calls < 2) throw new Error('transient');
          return calls;
        },
        { cache: {}, retry: { attempts: 3 } },
      ),
    );
    await expect(stage(undefined, [])).resolves.toBe(2);
    await expect(stage(undefined, [])).resolves.toBe(2);
    expect(calls).toBe(2);
  });

  it('bounds each attempt, not the whole call, with the timeout (timeout inside retry)', async () => {
    let calls = 0;
    const { runtime, clock } = runtimeOf();
    const stage = compile(
      spec(() => (++calls === 1 ? new Promise(() => {}) : Promise.resolve('second')), {
        timeout: { ms: 100 },
        retry: { attempts: 2 },
      }),
      runtime,
    );
    const result = stage(undefined, []);
    await clock.advance(100);
    await clock.advance(10);
    await expect(result).resolves.toBe('second');
  });

  it('stops the retries at once when the breaker opens mid-call (breaker inside retry)', async () => {
    let calls = 0;
    const stage = compile(
      spec(
        async () => {
          calls++;
          throw new Error('down');
        },
        { retry: { attempts: 5 }, breaker: { consecutiveFailures: 1 } },
      ),
    );
    await expect(stage(undefined, [])).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(1);
  });

  it('holds the bulkhead slot through a retry wait (bulkhead outside retry)', async () => {
    const { runtime } = runtimeOf();
    const wait = deferred<void>();
    let calls = 0;
    const stage = compile(
      spec(
        async () => {
          if (++calls === 1) throw new Error('transient');
          return 'ok';
        },
        { retry: { attempts: 2 }, bulkhead: { maxConcurrent: 1 } },
      ),
      { ...runtime, retry: { ...runtime.retry, sleep: () => wait.promise } },
    );
    const first = stage(undefined, []);
    await new Promise((resolve) => setImmediate(resolve));
    // The first call waits to retry: its slot is still taken.
    await expect(stage(undefined, [])).rejects.toBeInstanceOf(BulkheadRejectedError);
    wait.resolve();
    await expect(first).resolves.toBe('ok');
  });

  it('takes no bulkhead slot for a call the rate limit refuses (rate limit outside bulkhead)', async () => {
    const gate = deferred<string>();
    const stage = compile(
      spec(() => gate.promise, {
        rateLimit: { limit: 1 },
        bulkhead: { maxConcurrent: 1, maxQueue: 0 },
      }),
    );
    const first = stage(undefined, []);
    // The second call is refused by the limit, not by the full bulkhead.
    await expect(stage(undefined, [])).rejects.toBeInstanceOf(RateLimitedError);
    gate.resolve('done');
    await expect(first).resolves.toBe('done');
  });

  it('falls back after the cache found nothing, and caches no fallback (fallback outside cache)', async () => {
    let calls = 0;
    const stage = compile(
      spec(
        async () => {
          if (++calls === 1) throw new Error('down');
          return 'real';
        },
        { cache: {}, fallback: { to: 'fallback' } },
      ),
    );
    await expect(stage(undefined, [])).resolves.toBe('fallback');
    await expect(stage(undefined, [])).resolves.toBe('real');
    await expect(stage(undefined, [])).resolves.toBe('real');
    expect(calls).toBe(2);
  });

  it('injects faults inside the per-attempt timeout (faults innermost)', async () => {
    const { runtime, clock, core } = runtimeOf();
    core.faults.set('Svc.op', { latencyMs: 1_000 });
    let calls = 0;
    const stage = compile(
      spec(async () => ++calls, { timeout: { ms: 50 }, returnsPromise: true }),
      runtime,
    );
    const call = stage(undefined, []);
    const settled = expect(call).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(50);
    await settled;
    expect(calls).toBe(0);
  });

  it('reports a timed-out attempt as a timeout of that operation', async () => {
    const { runtime, clock, core } = runtimeOf();
    const stage = compile(
      spec(() => new Promise(() => {}), { timeout: { ms: 50 } }),
      runtime,
    );
    const result = (stage(undefined, []) as Promise<unknown>).catch((e: unknown) => e);
    await clock.advance(50);
    expect(await result).toBeInstanceOf(TimeoutError);
    expect(core.stats.snapshot('Svc.op').timeouts).toBe(1);
  });

  describe('an operation name another method already holds', () => {
    const { runtime } = runtimeOf();
    const claims = new OperationClaims();
    compilePipeline(
      spec(async () => 'first'),
      runtime,
      claims,
    );

    it('fails every call of a method known to return a Promise with a rejected ConfigError', async () => {
      const stage = compilePipeline(
        spec(async () => 'second', { returnsPromise: true }),
        runtime,
        claims,
      );
      await expect(stage(undefined, [])).rejects.toBeInstanceOf(ConfigError);
    });

    it('fails every call of a sync method by throwing the ConfigError', () => {
      const stage = compilePipeline(
        spec(() => 'second'),
        runtime,
        claims,
      );
      expect(() => stage(undefined, [])).toThrow(ConfigError);
    });
  });
});
