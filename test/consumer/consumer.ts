/**
 * A consumer project's code, compiled against the packed tarball with experimentalDecorators and
 * examples/tsconfig.recommended.json (see check.sh): every public name used exactly as the README
 * writes it, and a cached, a retried and a timed-out call checked on a ManualClock.
 */
import 'reflect-metadata';
import { container, injectable } from 'tsyringe';
import {
  Bulkhead,
  BulkheadRejectedError,
  CacheKeyError,
  Cached,
  CircuitBreaker,
  CircuitOpenError,
  ConfigError,
  currentSignal,
  ExecutionUtils,
  getExecutionContext,
  ManualClock,
  Retry,
  runWithContext,
  Timeout,
  TimeoutError,
  type ExecutionContext,
  type RetryOptions,
  type WarmUpOperation,
} from 'execution-utils';

@injectable()
class Service {
  calls = 0;
  constructor(readonly utils: ExecutionUtils) {}

  @Cached({
    ttl: 1_000,
    tenant: 'optional',
    cacheIf: (r) => r !== null,
    key: (args: unknown[], _ctx: ExecutionContext) => args[0],
  })
  @Retry({
    attempts: 2,
    backoff: 1,
    minDelay: 1,
    maxDelay: 1,
    jitter: 'none',
  } satisfies Partial<RetryOptions>)
  @Timeout({ ms: 500 })
  async get(id: string): Promise<string> {
    this.calls++;
    return `${id}:${getExecutionContext()?.userId}:${currentSignal() ? 'signal' : 'none'}`;
  }
}

class Guarded {
  @CircuitBreaker({ consecutiveFailures: 1, name: 'guarded' })
  @Bulkhead({ maxConcurrent: 1 })
  @Timeout({ ms: 100, adaptive: { percentile: 0.9, minSamples: 1 } })
  async call(fail: boolean): Promise<string> {
    if (fail) throw new Error('down');
    return 'ok';
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`consumer (cjs): ${what}`);
}

class Core {
  loads = 0;
  attempts = 0;
  aborted = false;

  @Cached({ ttl: 60_000 })
  async load(id: string): Promise<string> {
    this.loads++;
    return `value of ${id}`;
  }

  @Retry({ attempts: 3, backoff: 100, minDelay: 100, maxDelay: 100, jitter: 'none' })
  async flaky(): Promise<string> {
    if (++this.attempts < 3) throw new Error(`transient failure ${this.attempts}`);
    return 'ok';
  }

  @Timeout(1_000)
  async hang(): Promise<never> {
    const signal = currentSignal();
    return new Promise<never>((_, reject) => {
      signal?.addEventListener('abort', () => {
        this.aborted = true;
        reject(signal.reason);
      });
    });
  }
}

/** A cached, a retried and a timed-out call, with time moved by hand. */
async function core(): Promise<void> {
  const utils = ExecutionUtils.forTesting();
  container.registerInstance(ExecutionUtils, utils);
  const svc = new Core();

  const first = await svc.load('a');
  const second = await svc.load('a');
  check(first === 'value of a' && second === first, `cached value ${first} / ${second}`);
  check(svc.loads === 1, `cached method ran ${svc.loads} times, expected 1`);
  check(utils.getStats().hits === 1, `hits ${utils.getStats().hits}, expected 1`);

  const start = utils.clock.now();
  check((await svc.flaky()) === 'ok', 'retried call did not return ok');
  check(svc.attempts === 3, `retried method ran ${svc.attempts} times, expected 3`);
  check(utils.getStats().retries === 2, `retries ${utils.getStats().retries}, expected 2`);
  check(utils.clock.now() - start === 200, `backoff waited ${utils.clock.now() - start} ms`);

  const outcome = svc.hang().then(
    () => undefined,
    (e: unknown) => e,
  );
  await utils.clock.advance(1_000);
  const error = await outcome;
  check(error instanceof TimeoutError, `expected a TimeoutError, got ${String(error)}`);
  const timeout = error as TimeoutError;
  check(timeout.timeoutMs === 1_000 && timeout.operation === 'Core.hang', timeout.message);
  check(svc.aborted, "the timed-out work's signal was not aborted");
  check(utils.clock.pendingTimers === 0, `${utils.clock.pendingTimers} timers outlived the calls`);
  container.clearInstances();
}

async function resilience(): Promise<void> {
  const utils = ExecutionUtils.forTesting({ retryBudget: { ratio: 0.1 } });
  container.registerInstance(ExecutionUtils, utils);
  const guarded = new Guarded();
  await guarded.call(true).catch(() => undefined);
  const refused = await guarded.call(false).catch((e: unknown) => e);
  if (!(refused instanceof CircuitOpenError) || utils.getCircuitState('guarded') !== 'open') {
    throw new Error(`breaker failed: ${String(refused)}`);
  }
  utils.reset('guarded');
  if ((await guarded.call(false)) !== 'ok') throw new Error('reset failed');
  if (!(new BulkheadRejectedError('b', 1, 0) instanceof Error)) throw new Error('errors');
}

async function main(): Promise<void> {
  await core();
  await resilience();
  const clock = new ManualClock();
  container.registerInstance(ExecutionUtils, new ExecutionUtils({ clock, sleep: async () => {} }));
  const svc = container.resolve(Service);
  const a = await runWithContext({ userId: 'u1', taskId: 't1' }, () => svc.get('x'));
  const b = await runWithContext({ userId: 'u1', taskId: 't1' }, () => svc.get('x'));
  if (a !== b || svc.calls !== 1 || a !== 'x:u1:signal') throw new Error(`cache failed: ${a} ${b}`);

  const utils = svc.utils;
  const key = utils.generateCacheKey('f', 'u', 't', [1], { k: 2 });
  utils.addToCache(key, 'v', 100);
  if (utils.getFromCache<string>(key) !== 'v') throw new Error('addToCache failed');
  const op: WarmUpOperation = {
    funcName: 'f',
    userId: 'u',
    taskId: 't',
    args: [2],
    func: async () => 'w',
  };
  const warm = await utils.warmUpCache([op], { concurrency: 1, onProgress: () => {} });
  if (warm.warmed !== 1) throw new Error('warm-up failed');
  const retried = utils.createRetryStrategy('metric', { attempts: 2 })(async () => 'r');
  await retried();
  await utils.withTimeout(100, async (signal) => signal.aborted);
  await utils.executeWithRetryAndTimeout(async (n: number) => n * 2, 100, 21);
  utils.setOperationTimeout('Service.get', 50);
  const wrapped = utils.wrap(async (n: number) => n + 1, {
    name: 'inc',
    cache: true,
    retry: {},
    timeout: 100,
  });
  await wrapped(1);
  const health = await utils.health();
  const stats = utils.getStats();
  const memory = utils.getMemoryStats();
  utils.clearCache();
  await utils.close();
  ExecutionUtils.fromEnv({ EXECUTION_CACHE_SIZE: '5' });
  try {
    utils.generateCacheKey('f', '', '', [() => 1]);
  } catch (e) {
    if (!(e instanceof CacheKeyError) || !(e instanceof TypeError)) throw e;
  }
  try {
    new ExecutionUtils({ retryAttempts: 0 });
  } catch (e) {
    if (!(e instanceof ConfigError) || e.option !== 'retryAttempts') throw e;
  }
  console.log(
    `consumer (cjs, experimentalDecorators) ok: cached, retried and timed-out calls; ${health.status} v${health.version}, hits=${stats.hits}, bytes=${memory.cacheMemoryBytes}, ${TimeoutError.name}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
