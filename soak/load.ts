import { setImmediate as nextTurn } from 'node:timers/promises';
import { runWithContext, type ExecutionUtils } from '../src';
import type { Backend } from './backend';
import { planAbort } from './caller-abort';
import { classify } from './classify';
import { pickOperation, type Operation } from './operations';
import type { Rng } from './rng';
import type { Tally } from './tally';
import { TASKS, TENANTS } from './tenants';
import { pause, settlesWithin, until } from './time';
import { show, verify, type Expectation } from './verify';

/**
 * How long calls get to settle after the load stops. Every call is bounded (attempt timeouts of
 * 10-30 ms, retry waits of 5 ms at most), so one still pending after this never will.
 */
const DRAIN_GRACE_MS = 2_000;
/** Gap between two `clearCache()` calls (with a data change each), in ms. */
const CLEAR_EVERY_MS = [100, 400] as const;

export interface LoadConfig {
  readonly seconds: number;
  /** Calls in flight at once: one per worker. */
  readonly concurrency: number;
  readonly rng: Rng;
  readonly ops: readonly Operation[];
  readonly backend: Backend;
  readonly utils: ExecutionUtils;
  readonly tally: Tally;
}

/** What was still going on once the load stopped and the grace period ran out. */
export interface Leftovers {
  /** Calls that never settled, described. */
  readonly calls: readonly string[];
  /** Backend waits never answered nor cancelled: work the library failed to abort. */
  readonly backendWaits: number;
}

/**
 * Runs the load for `seconds`: `concurrency` workers making one call at a time, each for a
 * random tenant, while the data changes and the cache is cleared every few hundred ms. Then
 * waits up to `DRAIN_GRACE_MS` for every call, and every backend wait behind it, to end.
 */
export async function runLoad(config: LoadConfig): Promise<Leftovers> {
  const { rng, ops, backend, utils, tally } = config;
  const deadline = performance.now() + config.seconds * 1000;
  const pending = new Map<number, Expectation>();
  let nextId = 0;

  const oneCall = async (): Promise<void> => {
    const op = pickOperation(ops, rng);
    const userId = TENANTS[rng.skewed(TENANTS.length)];
    const taskId = TASKS[rng.int(TASKS.length)];
    const call = op.prepare(rng);
    const abort = planAbort(rng);
    const expected = {
      operation: op.name,
      userId,
      taskId,
      args: call.args,
      version: backend.version,
      startedAt: performance.now(),
      maxAgeMs: op.maxAgeMs,
    };
    const id = nextId++;
    pending.set(id, expected);
    tally.calls++;
    try {
      const result = await runWithContext({ userId, taskId, signal: abort?.signal }, call.invoke);
      tally.succeeded(op.name);
      verify(tally, expected, result);
    } catch (error) {
      tally.failed(op.name, classify(error, abort?.reason), error);
    } finally {
      abort?.cancel();
      pending.delete(id);
    }
  };

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await oneCall();
      // A cache hit settles in microtasks: without a turn of the event loop in between, workers
      // hitting the cache would starve the timers (timeouts, retry waits) of everyone else.
      await nextTurn();
    }
  };

  const invalidator = async (): Promise<void> => {
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await pause(Math.min(left, rng.between(...CLEAR_EVERY_MS)));
      backend.version++;
      void utils.clearCache();
      tally.clears++;
    }
  };

  const everything = Promise.all([
    invalidator(),
    ...Array.from({ length: config.concurrency }, () => worker()),
  ]);
  const left = deadline - performance.now();
  await settlesWithin(everything, left + DRAIN_GRACE_MS);
  // Answers given after a cancel, and cancels noticed late, outlive their calls by up to 2 ms.
  await until(() => backend.pendingWaits === 0, DRAIN_GRACE_MS);
  const calls = [...pending.values()].map(
    (c) => `${c.operation}(${show(c.args)}) for ${JSON.stringify(c.userId)}/${c.taskId}`,
  );
  return { calls, backendWaits: backend.pendingWaits };
}
