import type { RemoteErrorReason } from './tier-reports';

/** How a command ended for one request: its reply, or why there is none. */
export type Outcome<R> =
  | { readonly ok: true; readonly value: R }
  | {
      readonly ok: false;
      readonly reason: Extract<RemoteErrorReason, 'error' | 'timeout' | 'breaker-open'>;
      readonly error?: unknown;
      /** Sent, and timed out: the reply may still come (see `Attempt`'s `onLate`). */
      readonly unanswered?: true;
    };

/**
 * Runs one command under the tier's breaker and timeout. `onLate` sees the command's own promise
 * when the timeout came first: its reply may still come, and may hold a lock.
 */
export type Attempt = <T>(
  run: () => Promise<T>,
  onLate?: (late: Promise<T>) => void,
) => Promise<Outcome<T>>;

/** Requests per command: a script over this many keys runs in about a millisecond. */
const MAX_BATCH = 256;
/** Commands in flight at once: a burst is a queue here, not in the socket. */
const MAX_IN_FLIGHT = 4;

/**
 * Sends the requests made in one turn of the event loop together: one command for up to
 * {@link MAX_BATCH} of them, at most {@link MAX_IN_FLIGHT} commands in flight, the rest queued
 * here until one returns (the next command then takes everything queued meanwhile). A command's
 * timeout starts when it is sent, so it measures Redis, not the queue in front of it; a command
 * that times out fails the requests queued behind it too, at once (Redis is not answering, and
 * each would otherwise wait a timeout of its own).
 */
export class CommandBatcher<Q, R> {
  private queue: Q[] = [];
  private waiting: ((outcome: Outcome<R>) => void)[] = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * @param send one command for `batch`, resolving with one reply per request, in order
   * @param onLate a timed-out request's reply, when it comes (undefined: the command failed)
   */
  constructor(
    private readonly send: (batch: Q[]) => Promise<R[]>,
    private readonly attempt: Attempt,
    private readonly onLate?: (request: Q, reply: R | undefined) => void,
  ) {}

  run(request: Q): Promise<Outcome<R>> {
    return new Promise((resolve) => {
      this.queue.push(request);
      this.waiting.push(resolve);
      if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT) return;
      this.scheduled = true;
      // After the current turn's synchronous work: the misses of a loop go out together.
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    });
  }

  private flush(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const waiting = this.waiting.splice(0, batch.length);
      this.inFlight++;
      void this.attempt(() => this.send(batch), this.onLate && this.lateReplies(batch)).then(
        (outcome) => {
          this.inFlight--;
          if (outcome.ok)
            waiting.forEach((settle, i) => settle({ ok: true, value: outcome.value[i] }));
          else {
            waiting.forEach((settle) => settle(outcome));
            if (outcome.reason === 'timeout') this.failQueued(outcome);
          }
          this.flush();
        },
      );
    }
  }

  private lateReplies(batch: Q[]): (late: Promise<R[]>) => void {
    const onLate = this.onLate!;
    return (late) =>
      void late.then(
        (replies) => batch.forEach((request, i) => onLate(request, replies[i])),
        () => batch.forEach((request) => onLate(request, undefined)),
      );
  }

  /** Fails the requests not sent yet; they were never sent, so no reply will come for them. */
  private failQueued(outcome: Outcome<R> & { ok: false }): void {
    const failed: Outcome<R> = { ok: false, reason: outcome.reason, error: outcome.error };
    const waiting = this.waiting;
    this.queue = [];
    this.waiting = [];
    for (const settle of waiting) settle(failed);
  }
}
