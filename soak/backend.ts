import { currentSignal } from '../src';
import type { Rng } from './rng';

/** A failure the dependency may not repeat: the kind @Retry exists for. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** A failure that arrives after its attempt was cancelled: the library must swallow it. */
export class LateError extends Error {
  override readonly name = 'LateError';
}

/** An outage every OUTAGE_EVERY_MS, lasting OUTAGE_MS: long enough to trip a breaker. */
const OUTAGE_EVERY_MS = 2_000;
const OUTAGE_MS = 700;

/**
 * The fake dependency behind every soak service: how long it takes, when it fails, hangs or
 * answers late, and which version of its data it serves. Waits honour `currentSignal()` the way
 * a database driver does: sometimes the cancel takes effect a moment later, not at once.
 */
export class Backend {
  /** Bumped whenever the data changes; the cache is cleared at the same moment. */
  version = 0;
  /** Waits not yet over, whether answered, failed or cancelled: 0 once all work has stopped. */
  pendingWaits = 0;

  constructor(
    /** Where the services draw their latencies and failures from. */
    readonly rng: Rng,
    private readonly startedAt: number,
  ) {}

  /** Answers after `ms`, or fails with the signal's reason once the caller's work is cancelled. */
  respond(ms: number): Promise<void> {
    return this.wait(ms, currentSignal());
  }

  /** Never answers: only a cancelled signal ends the wait. */
  hang(): Promise<void> {
    return this.wait(Infinity, this.signalToHonour());
  }

  /**
   * Settles only once the work is cancelled, and then not with the signal's reason but 0-2 ms
   * later, as a dependency that cannot be stopped: the caller has moved on, so its late value must
   * be ignored and its late failure swallowed. (A fixed "late" delay would not do: under event
   * loop lag Node may fire a 20 ms timer before a 10 ms one set in the same tick.)
   */
  async settleAfterCancel(outcome: 'answer' | 'fail'): Promise<void> {
    await this.wait(Infinity, this.signalToHonour()).catch(() => this.wait(this.rng.between(0, 2)));
    if (outcome === 'fail') throw new LateError('failed after its attempt was cancelled');
  }

  /** Throws `TransientError` with probability `p`. */
  maybeFail(p: number, what: string): void {
    if (this.rng.chance(p)) throw new TransientError(`${what} failed (transient)`);
  }

  /** Whether the dependency is in an outage phase now. */
  inOutage(): boolean {
    return (performance.now() - this.startedAt) % OUTAGE_EVERY_MS >= OUTAGE_EVERY_MS - OUTAGE_MS;
  }

  /** The signal of a timed attempt. Without one a hang would outlive the soak: fail loudly instead. */
  private signalToHonour(): AbortSignal {
    const signal = currentSignal();
    if (!signal) throw new Error('no currentSignal() inside a timed attempt');
    return signal;
  }

  private wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.pendingWaits++;
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        this.pendingWaits--;
        signal?.removeEventListener('abort', onAbort);
      };
      const timer =
        ms === Infinity
          ? undefined
          : setTimeout(() => {
              settle();
              resolve();
            }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        const reason: unknown = signal!.reason;
        const fail = (): void => {
          settle();
          reject(reason);
        };
        // One cancel in four lands 1-2 ms late, as a driver's round trip would.
        if (this.rng.chance(0.75)) fail();
        else setTimeout(fail, this.rng.between(1, 2));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
