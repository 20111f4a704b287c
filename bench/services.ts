/**
 * Our decorated classes, resolved from the tsyringe container like an application would. Every
 * method has the body of `Plain.get`. Class names are three letters on purpose: `Svc.get` and
 * `Stk.get` give keys of the same length, so B and H key the same amount of text.
 */
import { container, injectable } from 'tsyringe';
import {
  Cached,
  ExecutionUtils,
  RateLimit,
  Retry,
  Timeout,
  type ExecutionUtilsOptions,
} from '../src';
import { makeResult, type Query, type Result } from './workload';

/**
 * Registers a fresh service (its own cache and counters) and returns it. tsyringe keeps every
 * registration of a token (for `resolveAll`), so the container is reset first: otherwise each
 * scenario's service, and its cache, would stay reachable to the end of the run.
 */
export function registerUtils(options: ExecutionUtilsOptions): ExecutionUtils {
  const utils = new ExecutionUtils(options);
  container.reset();
  container.registerInstance(ExecutionUtils, utils);
  return utils;
}

/** B, C, G: `@Cached`. */
@injectable()
export class Svc {
  executions = 0;

  @Cached()
  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** B2: `@Cached` with the tenant in the arguments: the key reads no context. */
@injectable()
export class Shared {
  executions = 0;

  @Cached({ tenant: 'shared' })
  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** D: `@Retry`, 3 calls in all (cockatiel's `maxAttempts: 2` is 2 retries after the first). */
@injectable()
export class RetrySvc {
  executions = 0;

  @Retry({ attempts: 3 })
  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** D: `@RateLimit` admitting every call (a window far wider than the bench's call rate). */
@injectable()
export class LimitSvc {
  executions = 0;

  @RateLimit({ limit: 1_000_000, intervalMs: 1 })
  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** E: `@Timeout(5000)`. */
@injectable()
export class TimeoutSvc {
  executions = 0;

  @Timeout(5000)
  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** H: the three stacked. */
@injectable()
export class Stk {
  executions = 0;

  @Cached()
  @Retry({ attempts: 3 })
  @Timeout(5000)
  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** F: a 20 ms method on real timers. */
@injectable()
export class SlowSvc {
  static readonly MS = 20;
  executions = 0;

  @Cached()
  async load(key: string): Promise<{ key: string }> {
    this.executions++;
    await new Promise((resolve) => setTimeout(resolve, SlowSvc.MS));
    return { key };
  }
}

/** S: call `i` fails once when `i % 10 === 0`, then succeeds; retried at once. */
@injectable()
export class FlakySvc {
  executions = 0;
  failures = 0;
  /** Set by the scenario: called on every execution (heap sampling). */
  onExecution: (() => void) | undefined;
  private failed = new Uint8Array(0);

  reset(calls: number): void {
    this.failed = new Uint8Array(calls);
    this.executions = 0;
    this.failures = 0;
  }

  @Retry({ attempts: 2, backoff: 0, minDelay: 0, maxDelay: 0, jitter: 'none' })
  async call(i: number): Promise<{ i: number }> {
    this.executions++;
    this.onExecution?.();
    if (i % 10 === 0 && this.failed[i] === 0) {
      this.failed[i] = 1;
      this.failures++;
      throw new Error(`transient failure of call ${i}`);
    }
    return { i };
  }
}
