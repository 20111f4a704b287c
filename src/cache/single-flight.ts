import { CancelScope, link, unlink, type Abandonable, type Cancellation } from '../cancellation';
import type { Invalidation } from './store';

/** What an invalidation finds a flight by: its operation, its tenant, whether it will be tagged. */
export interface FlightLabels {
  readonly operation: string;
  readonly tenant: string;
  /** Whether its entry gets tags (known only from the result, so any tag invalidation reaches it). */
  readonly tagged: boolean;
}

/**
 * One execution shared by every concurrent miss of a key. Each caller waits on its own terms: a
 * caller whose signal aborts leaves at once with its reason, and the others keep waiting. The
 * execution's own scope aborts only when every caller has left, and never once a caller that
 * cannot leave (no signal) is waiting.
 */
export class Flight<T> extends CancelScope implements FlightLabels {
  private execution!: Promise<T>;
  private waiting = 0;
  private committed: boolean;
  /** Whether its first caller can leave (the work runs in this flight's scope). */
  readonly cancellable: boolean;
  /** @internal Set by `SingleFlight.track`: frees the key once every caller has left. */
  onAbandoned: (() => void) | undefined;
  /** @internal Whether `SingleFlight` holds it under its key (until it settles or is dropped). */
  tracked = false;
  /** @internal The clock time its work started, when the load is timed (`refreshAhead`). */
  startedAt: number | undefined = undefined;
  /**
   * @internal Set for an early refresh (`refreshAhead`): the version of the copy it replaces, so
   * the shared tier does not answer with the entry that copy came from.
   */
  replacing: number | undefined = undefined;
  /**
   * @internal Set for work no caller waits for (an early refresh, a stale entry's revalidation):
   * the lookup that started it was a hit, so what it finds in the shared tier is not a miss's.
   */
  background = false;
  /**
   * @internal Set by the load while it holds something for the key elsewhere (the shared tier's
   * lock): an invalidation that drops the flight lets it go, so callers in other processes start
   * fresh work too instead of waiting for a load whose result will not be written.
   */
  onDropped: (() => void) | undefined;

  /**
   * @param cancellable whether the work runs inside this flight's scope (its first caller can leave).
   * The labels are what an invalidation finds the flight by; `stamp` and `args` are what the
   * load's result is cached with (the invalidation log's stamp when it started, its arguments).
   */
  constructor(
    cancellable: boolean,
    readonly operation: string,
    readonly tenant: string,
    readonly tagged: boolean,
    readonly stamp: number,
    readonly args: unknown[],
  ) {
    super();
    this.cancellable = cancellable;
    this.committed = !cancellable;
  }

  /** @internal Called once, with the execution started inside this scope. */
  run(execution: Promise<T>): void {
    this.execution = execution;
  }

  /** The result as `caller` sees it: the shared outcome, or its own abort reason first. */
  join(caller: Cancellation | undefined): Promise<T> {
    if (!caller) {
      this.committed = true;
      return this.execution;
    }
    this.waiting++;
    return new Promise<T>((resolve, reject) => {
      const waiter = new Waiter(this, caller, reject);
      if (caller.aborted) waiter.abandon(caller.reason);
      else link(caller, waiter);
      this.execution.then(
        (value) => waiter.settle() && resolve(value),
        (error: unknown) => waiter.settle() && reject(error),
      );
    });
  }

  /** @internal A waiter left through its own abort. */
  leave(reason: unknown): void {
    this.waiting--;
    if (this.waiting === 0 && !this.committed) {
      this.cancel(reason);
      // Nobody waits for this work any more: a caller who comes now must start fresh work, not
      // inherit an abort (or an unretried failure) that was never its own.
      this.onAbandoned?.();
    }
  }
}

class Waiter<T> implements Abandonable {
  private done = false;

  constructor(
    private readonly flight: Flight<T>,
    private readonly caller: Cancellation,
    private readonly reject: (error: unknown) => void,
  ) {}

  abandon(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    unlink(this.caller, this);
    this.reject(reason);
    this.flight.leave(reason);
  }

  handleEvent(event: Event): void {
    this.abandon((event.target as AbortSignal).reason);
  }

  /** Marks the waiter served by the shared outcome; false if it had already left. */
  settle(): boolean {
    if (this.done) return false;
    this.done = true;
    unlink(this.caller, this);
    return true;
  }
}

/**
 * The flights in progress, by key; a key is free again as soon as its execution settles, or as
 * soon as every caller of it has left.
 */
export class SingleFlight {
  private readonly inflight = new Map<string, Flight<unknown>>();

  /** The execution in flight for `key`, if any. */
  get(key: string): Flight<unknown> | undefined {
    return this.inflight.get(key);
  }

  /**
   * Registers `flight` as the one in flight for `key` until `result` settles; `onValue` (when
   * given) sees a value first (to cache it), in the same turn as the key is freed, so no caller
   * falls between. One function for every flight of an operation: no closure per load.
   */
  track<T>(
    key: string,
    flight: Flight<T>,
    result: PromiseLike<T>,
    onValue: ((key: string, value: T, flight: Flight<T>) => void) | undefined,
  ): void {
    flight.run(
      Promise.resolve(result).then(
        (value) => {
          this.finish(key, flight);
          onValue?.(key, value, flight);
          return value;
        },
        (error: unknown) => {
          this.finish(key, flight);
          throw error;
        },
      ),
    );
    this.inflight.set(key, flight);
    flight.tracked = true;
    // Only a flight whose callers can leave can be abandoned.
    if (flight.cancellable) flight.onAbandoned = () => this.finish(key, flight);
  }

  private finish(key: string, flight: Flight<unknown>): void {
    // A flight dropped by an invalidation no longer holds its key (a newer one may): leave it.
    if (!flight.tracked) return;
    flight.tracked = false;
    this.inflight.delete(key);
  }

  get size(): number {
    return this.inflight.size;
  }

  /**
   * Frees the keys of the flights `what` reaches: they run on, but a caller who comes next starts
   * fresh work instead of joining one that may return what was just invalidated.
   */
  drop(what: Invalidation): void {
    if (what.kind === 'all') return this.clear();
    if (what.kind === 'key') {
      const flight = this.inflight.get(what.key);
      if (flight) this.untrack(what.key, flight);
      return;
    }
    for (const [key, flight] of this.inflight) {
      if (reaches(what, flight)) this.untrack(key, flight);
    }
  }

  clear(): void {
    const dropped = [...this.inflight.values()];
    this.inflight.clear();
    for (const flight of dropped) dropOut(flight);
  }

  private untrack(key: string, flight: Flight<unknown>): void {
    this.inflight.delete(key);
    dropOut(flight);
  }
}

function dropOut(flight: Flight<unknown>): void {
  flight.tracked = false;
  const onDropped = flight.onDropped;
  flight.onDropped = undefined;
  onDropped?.();
}

function reaches(what: Invalidation, labels: FlightLabels): boolean {
  if (what.kind === 'operation') return labels.operation === what.name;
  if (what.kind === 'tenant') return labels.tenant === what.id;
  return labels.tagged;
}
