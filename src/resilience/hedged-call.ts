import { CancelScope, link, unlink, type Abandonable, type Cancellation } from '../cancellation';
import type { Clock } from '../clock';
import { runInScope } from '../context';

/** Why a hedged call's other attempts are aborted once one has succeeded. */
export class HedgeWon extends Error {
  override readonly name = 'HedgeWon';

  constructor() {
    super('another attempt of this hedged call succeeded first');
  }
}

/** One attempt of a hedged call: aborted when its caller leaves or another attempt wins. */
class HedgeAttempt extends CancelScope implements Abandonable {
  constructor(private readonly caller: Cancellation | undefined) {
    super();
    if (caller) link(caller, this);
  }

  abandon(reason: unknown): void {
    this.cancel(reason);
  }

  handleEvent(): void {
    this.cancel(this.caller!.reason);
  }

  /** Another attempt won. */
  lose(): void {
    this.cancel(new HedgeWon());
  }

  /** The call settled: stop listening to the caller. */
  detach(): void {
    if (this.caller) unlink(this.caller, this);
  }
}

export interface Hedging {
  readonly clock: Clock;
  /** Attempts started besides the first, at most. */
  readonly maxHedges: number;
  /** How long an attempt may run before the next starts; undefined: no hedge (yet). */
  delayMs(): number | undefined;
  /**
   * May a hedge start now? Its release (of a bulkhead slot), or undefined when the bulkhead has
   * no idle slot or the retry budget is spent.
   */
  admit(): (() => void) | undefined;
  /** The `n`-th hedge started. */
  onHedge(n: number): void;
  /**
   * The first attempt took `ms`: until it succeeded, or until another attempt won (a lower bound,
   * above the delay). Hedges are not recorded: they are drawn only for slow calls.
   */
  record(ms: number): void;
}

/**
 * Runs `attempt`, and once it has run `delayMs()` without settling, another beside it (and so
 * on up to `maxHedges`). The first success wins: its value is the call's, and every other
 * attempt's signal aborts. A failure starts nothing: the call fails, with the last error, once
 * every attempt started has failed (an outer `@Retry` retries it).
 */
export function hedgedCall<T>(
  attempt: (thisArg: unknown, args: unknown[]) => Promise<T>,
  thisArg: unknown,
  args: unknown[],
  caller: Cancellation | undefined,
  hedging: Hedging,
): Promise<T> {
  const { clock, maxHedges } = hedging;
  return new Promise<T>((resolve, reject) => {
    const attempts: HedgeAttempt[] = [];
    let running = 0;
    let settled = false;
    let timer: unknown;
    const finish = (): void => {
      settled = true;
      if (timer !== undefined) clock.clearTimer(timer);
      for (const a of attempts) a.detach();
    };
    const schedule = (): void => {
      const ms = attempts.length <= maxHedges ? hedging.delayMs() : undefined;
      if (ms === undefined) return;
      timer = clock.setTimer(() => {
        timer = undefined;
        if (settled || caller?.aborted) return;
        const release = hedging.admit();
        if (release === undefined) return;
        hedging.onHedge(attempts.length);
        start(release);
      }, ms);
    };
    const began = clock.now();
    let firstRunning = true;
    const recordFirst = (): void => {
      if (!firstRunning) return;
      firstRunning = false;
      hedging.record(clock.now() - began);
    };
    const start = (release: (() => void) | undefined): void => {
      const scope = new HedgeAttempt(caller);
      const first = attempts.length === 0;
      attempts.push(scope);
      running++;
      let result: Promise<T>;
      try {
        result = Promise.resolve(runInScope(scope, attempt, thisArg, args));
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => {
          release?.();
          running--;
          if (first || !settled) recordFirst();
          if (settled) return;
          finish();
          for (const other of attempts) if (other !== scope) other.lose();
          resolve(value);
        },
        (error: unknown) => {
          release?.();
          running--;
          // A failure is no latency (and an aborted first attempt was recorded as it lost).
          if (first) firstRunning = false;
          if (settled || running > 0) return;
          finish();
          reject(error);
        },
      );
      schedule();
    };
    start(undefined);
  });
}
