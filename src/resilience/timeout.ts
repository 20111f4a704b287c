import type { Clock } from '../clock';
import { runInAttempt, type LazySignal } from '../context';
import { TimeoutError } from '../errors';
import { isThenable } from '../is-thenable';

/** How a guarded piece of work is bounded. */
export interface TimeoutGuard {
  readonly ms: number;
  readonly operation: string;
  readonly clock: Clock;
  /** Counts a timeout. */
  readonly onTimeout: () => void;
  /** The `cause` to put on the TimeoutError, read when the timer fires. */
  readonly cause?: () => unknown;
}

/**
 * Runs `work(thisArg, args)` as an attempt and settles with it, unless `guard.ms` pass first or
 * `parent` aborts: then it rejects at once (a `TimeoutError`, or the parent's reason) and aborts
 * the attempt's signal (`currentSignal()` inside the work), so the work can stop. A late result
 * is ignored and a late rejection swallowed. The timer and the parent listener are removed as
 * soon as the call settles, whichever way.
 */
export function withGuard<T>(
  work: (thisArg: unknown, args: unknown[]) => T | PromiseLike<T>,
  thisArg: unknown,
  args: unknown[],
  guard: TimeoutGuard,
  parent: AbortSignal | undefined,
): Promise<T> {
  if (parent?.aborted) return Promise.reject(parent.reason);
  const attempt = new GuardedAttempt<T>(guard, parent);
  const promise = new Promise<T>((resolve, reject) => {
    attempt.resolve = resolve;
    attempt.reject = reject;
  });
  attempt.start();
  let result: T | PromiseLike<T>;
  try {
    result = runInAttempt(attempt, work, thisArg, args);
  } catch (error) {
    attempt.fail(error);
    return promise;
  }
  if (isThenable(result)) {
    (result as PromiseLike<T>).then(
      (value) => attempt.succeed(value),
      (error: unknown) => attempt.fail(error),
    );
  } else {
    attempt.succeed(result as T);
  }
  return promise;
}

/**
 * One guarded attempt: its timer, its link to the parent signal, and an `AbortController` made
 * only if the work reads its signal (most calls finish without anyone looking).
 */
class GuardedAttempt<T> implements LazySignal {
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  private settled = false;
  private timer: unknown;
  private controller: AbortController | undefined;
  /** Why the attempt was abandoned, kept for a signal first read afterwards. */
  private abandonedWith: { reason: unknown } | undefined;
  private readonly onParentAbort: (() => void) | undefined;

  constructor(
    private readonly guard: TimeoutGuard,
    private readonly parent: AbortSignal | undefined,
  ) {
    this.onParentAbort = parent ? () => this.abandon(parent.reason) : undefined;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abandonedWith) this.controller.abort(this.abandonedWith.reason);
    }
    return this.controller.signal;
  }

  start(): void {
    this.timer = this.guard.clock.setTimer(() => this.timeOut(), this.guard.ms, false);
    if (this.parent) this.parent.addEventListener('abort', this.onParentAbort!, { once: true });
  }

  succeed(value: T): void {
    if (this.finish()) this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  private timeOut(): void {
    const { operation, ms, cause } = this.guard;
    const error = new TimeoutError(operation, ms, cause?.());
    if (this.abandon(error)) this.guard.onTimeout();
  }

  /** Rejects the caller with `reason` and aborts the work's signal; false if already settled. */
  private abandon(reason: unknown): boolean {
    if (!this.finish()) return false;
    this.abandonedWith = { reason };
    this.controller?.abort(reason);
    this.reject(reason);
    return true;
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.guard.clock.clearTimer(this.timer);
    if (this.parent) this.parent.removeEventListener('abort', this.onParentAbort!);
    return true;
  }
}
