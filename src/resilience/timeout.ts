import { CancelScope, link, unlink, type Abandonable, type Cancellation } from '../cancellation';
import type { Clock } from '../clock';
import { runInScope } from '../context';
import { TimeoutError } from '../errors';
import { isThenable } from '../is-thenable';

/** `0` and `Infinity` mean "no time limit" wherever a timeout or deadline is given. */
export function isUnlimited(ms: number): boolean {
  return ms === 0 || ms === Infinity;
}

/** How a guarded piece of work is bounded. */
export interface TimeoutGuard {
  /** The limit in ms; `0` or `Infinity`: none (the work still gets a cancellable scope). */
  readonly ms: number;
  readonly operation: string;
  readonly clock: Clock;
  /** Reports a timeout, with the limit that ran out. */
  readonly onTimeout: (timeoutMs: number) => void;
  /** The `cause` to put on the TimeoutError, read when the timer fires. */
  readonly cause?: () => unknown;
}

/**
 * Runs `work(thisArg, args)` as an attempt and settles with it, unless `guard.ms` pass first or
 * `parent` aborts: then it rejects at once (a `TimeoutError`, or the parent's reason) and aborts
 * the attempt's scope (`currentSignal()` inside the work, and any call nested in it), so the work
 * can stop. A late result is ignored and a late rejection swallowed. The timer and the link to
 * the parent are gone as soon as the call settles, whichever way.
 */
export function withGuard<T>(
  work: (thisArg: unknown, args: unknown[]) => T | PromiseLike<T>,
  thisArg: unknown,
  args: unknown[],
  guard: TimeoutGuard,
  parent: Cancellation | undefined,
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
    result = runInScope(attempt, work, thisArg, args);
  } catch (error) {
    attempt.fail(error);
    return promise;
  }
  if (isThenable(result)) {
    result.then(
      (value) => attempt.succeed(value),
      (error: unknown) => attempt.fail(error),
    );
  } else {
    attempt.succeed(result);
  }
  return promise;
}

/** One guarded attempt: its timer, its link to the parent, and its own cancellation scope. */
class GuardedAttempt<T> extends CancelScope implements Abandonable {
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  private settled = false;
  private timer: unknown;

  constructor(
    private readonly guard: TimeoutGuard,
    private readonly parent: Cancellation | undefined,
  ) {
    super();
  }

  start(): void {
    const { clock, ms } = this.guard;
    if (!isUnlimited(ms)) this.timer = clock.setTimer(() => this.timeOut(), ms);
    if (this.parent) link(this.parent, this);
  }

  succeed(value: T): void {
    if (this.finish()) this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  /** The parent aborted: reject the caller with its reason and abort the work. */
  abandon(reason: unknown): void {
    if (!this.finish()) return;
    this.cancel(reason);
    this.reject(reason);
  }

  handleEvent(event: Event): void {
    this.abandon((event.target as AbortSignal).reason);
  }

  private timeOut(): void {
    if (!this.finish()) return;
    const { operation, ms, cause } = this.guard;
    const error = new TimeoutError(operation, ms, cause?.());
    this.guard.onTimeout(ms);
    this.cancel(error);
    this.reject(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer !== undefined) this.guard.clock.clearTimer(this.timer);
    if (this.parent) unlink(this.parent, this);
    return true;
  }
}
