import { signalOf, type Cancellation } from '../cancellation';
import { BulkheadRejectedError } from '../errors';
import {
  checkFiniteNumber,
  checkNonNegativeInteger,
  checkPositiveInteger,
  optionKeys,
  optional,
} from '../validation';

/**
 * Limits how many calls run at once (and how many may wait), so that one slow dependency cannot
 * take every connection, socket or worker of the process.
 */
export interface BulkheadOptions {
  /**
   * Calls running at once (holding a slot). An integer >= 1. Default 100 (the original's
   * MAX_CONCURRENT_OPERATIONS).
   */
  maxConcurrent?: number;
  /**
   * Calls waiting for a slot; beyond it a call is rejected at once with `BulkheadRejectedError`.
   * An integer >= 0. Default 0: like the original, which had no queue, a call that finds every
   * slot busy is rejected at once rather than left waiting.
   */
  maxQueue?: number;
  /**
   * Priority of this bulkhead's calls when `acquire` is given none: among waiters, higher runs
   * first (FIFO among equals, with aging, see {@link Bulkhead}). A finite number; use small
   * integers, since one priority point is worth one admission of aging. Default 0.
   */
  priority?: number;
}

/** The defaults of {@link BulkheadOptions}. */
const DEFAULTS = { maxConcurrent: 100, maxQueue: 0, priority: 0 } as const;

/**
 * The keys of {@link BulkheadOptions}, for the callers that refuse unknown ones (a decorator's
 * options add `name`).
 */
export const BULKHEAD_OPTION_KEYS = optionKeys<BulkheadOptions>({
  maxConcurrent: true,
  maxQueue: true,
  priority: true,
});

/**
 * Validates bulkhead options; throws `ConfigError` naming the first bad one as
 * `${where}.maxConcurrent`, `${where}.maxQueue` or `${where}.priority`. Unset options are fine.
 */
export function validateBulkheadOptions(o: BulkheadOptions, where: string): void {
  optional(checkPositiveInteger)(`${where}.maxConcurrent`, o.maxConcurrent);
  optional(checkNonNegativeInteger)(`${where}.maxQueue`, o.maxQueue);
  optional(checkFiniteNumber)(`${where}.priority`, o.priority);
}

/** Gives a slot back; calling it again does nothing. */
type Release = () => void;

/** A call waiting for a slot. */
interface Waiter {
  /** Static order key: `priority - admissions at enqueue` (see the aging rule on Bulkhead). */
  readonly key: number;
  /** Arrival order, for FIFO among equal keys. */
  readonly seq: number;
  /** Position in the heap. */
  index: number;
  readonly resolve: (release: Release) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

/** The one abort listener a bulkhead keeps on a signal, for all its waiters using that signal. */
interface SignalWatch {
  readonly waiters: Set<Waiter>;
  readonly onAbort: () => void;
}

/**
 * A bulkhead: at most `maxConcurrent` calls hold a slot at once, at most `maxQueue` more wait for
 * one, and any further call is rejected at once with {@link BulkheadRejectedError}.
 *
 * Order: a freed slot goes to the waiter with the highest effective priority, FIFO among equals.
 * Aging: a waiter's effective priority rises by 1 each time a slot goes to another waiter while it
 * waits, so that a stream of higher-priority calls cannot starve it. Aging counts admissions, not
 * time, so it needs no clock. As every waiter ages alike, the order needs only a fixed key per
 * waiter, `priority - admissions before its arrival`, kept in a binary heap (O(log n) per call).
 *
 * Bound: let `p` be a waiter's priority, `P` the highest priority of any call arriving while it
 * waits, `D = max(0, ceil(P - p))` and `Q = maxQueue`. The waiter is passed over (a slot goes to
 * another waiter) at most `Q - 1` times when `D = 0`, and at most `D + Q - 2` times otherwise;
 * both are within `D + Q - 1`. Proof: if the waiter arrived after `e` admissions, its key is
 * `p - e`; a call arriving `k` admissions later has key `p' - e - k <= P - e - k` and loses ties
 * (FIFO), so it can pass the waiter only if `k < D`. After `D` admissions (the last of which left at most `Q - 1` waiters,
 * itself included), no later arrival can pass it; only the at most `Q - 2` others then queued
 * can. With `D = 0`, only the at most `Q - 1` already queued can. Priorities are meant to be
 * small integers: a gap of `g` points costs up to `g` admissions of waiting.
 *
 * @example
 * const bulkhead = new Bulkhead('payments', { maxConcurrent: 10, maxQueue: 50 });
 * const slot = bulkhead.acquire();
 * const release = typeof slot === 'function' ? slot : await slot;
 * try {
 *   return await pay();
 * } finally {
 *   release();
 * }
 */
export class Bulkhead {
  private readonly name: string;
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;
  private readonly priority: number;
  private active = 0;
  /** Waiters as a binary max-heap on (key, then earliest seq). */
  private readonly heap: Waiter[] = [];
  private seq = 0;
  /** Slots handed from a release to a waiter so far: the aging clock. */
  private admissions = 0;
  /**
   * Abort listeners by signal: one per signal however many waiters share it (so a long-lived
   * signal never collects listeners, nor trips Node's MaxListenersExceededWarning); an entry and
   * its listener go as soon as the signal's last waiter is admitted or leaves.
   */
  private readonly watches = new Map<AbortSignal, SignalWatch>();

  /**
   * @param name names the bulkhead in errors (`BulkheadRejectedError.bulkhead`).
   * @param options limits and default priority; unset ones take their defaults. Invalid ones throw
   *   `ConfigError` naming `Bulkhead(<name>).<option>`.
   */
  constructor(name: string, options: BulkheadOptions) {
    validateBulkheadOptions(options, `Bulkhead(${name})`);
    this.name = name;
    this.maxConcurrent = options.maxConcurrent ?? DEFAULTS.maxConcurrent;
    this.maxQueue = options.maxQueue ?? DEFAULTS.maxQueue;
    this.priority = options.priority ?? DEFAULTS.priority;
  }

  /** Calls holding a slot now (at most `maxConcurrent`). */
  get running(): number {
    return this.active;
  }

  /** Calls waiting for a slot now (at most `maxQueue`). */
  get queued(): number {
    return this.heap.length;
  }

  /**
   * Takes a slot for one call; give it back with the returned release function (idempotent).
   *
   * - A slot is free: returns the release function itself, synchronously (no Promise allocated:
   *   the hot path). Callers write `typeof slot === 'function' ? slot : await slot`.
   * - Every slot is busy and the queue has room: returns a Promise that resolves with the release
   *   function once a slot is handed over (highest effective priority first, then FIFO).
   * - Every slot is busy and the queue is full: returns a Promise rejected with
   *   {@link BulkheadRejectedError}.
   * - `signal` is already aborted: returns a Promise rejected with `signal.reason`, even when a slot
   *   is free. If it aborts while the call waits, the call leaves the queue and the Promise rejects
   *   with `signal.reason`. The bulkhead keeps at most one abort listener per signal, whatever the
   *   number of its waiters sharing it, and removes it once the last of them is admitted or leaves;
   *   a call that takes a free slot adds none.
   * - `priority` is not a finite number: returns a Promise rejected with `ConfigError` naming
   *   `Bulkhead(<name>).acquire(priority)`.
   *
   * Never throws: every failure is a rejected Promise.
   *
   * @param priority this call's priority (higher runs first). Default: the bulkhead's `priority`.
   * @param signal cancels the wait (not the call once it runs): an `AbortSignal`, or a
   *   cancellation scope whose signal is created only if the call has to wait.
   */
  acquire(priority?: number, signal?: Cancellation): Promise<() => void> | (() => void) {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const p = priority ?? this.priority;
    try {
      checkFiniteNumber(`Bulkhead(${this.name}).acquire(priority)`, p);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.active < this.maxConcurrent) {
      this.active++;
      return this.releaser();
    }
    if (this.heap.length >= this.maxQueue) {
      return Promise.reject(
        new BulkheadRejectedError(this.name, this.maxConcurrent, this.maxQueue),
      );
    }
    // A scope's AbortSignal is made only now that the call has to wait.
    return this.enqueue(p, signalOf(signal));
  }

  /**
   * A free slot's release function, or undefined when none is free: never waits, never queues
   * (a hedged attempt takes a slot only if one is idle, so hedging never delays a queued call).
   */
  tryAcquire(): Release | undefined {
    if (this.active >= this.maxConcurrent) return undefined;
    this.active++;
    return this.releaser();
  }

  private enqueue(priority: number, signal: AbortSignal | undefined): Promise<Release> {
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        key: priority - this.admissions,
        seq: this.seq++,
        index: this.heap.length,
        resolve,
        reject,
        signal,
      };
      this.heap.push(waiter);
      this.siftUp(waiter.index);
      if (signal) this.watch(signal, waiter);
    });
  }

  /** Adds `waiter` to the waiters `signal` cancels, adding the listener for the first one. */
  private watch(signal: AbortSignal, waiter: Waiter): void {
    let watch = this.watches.get(signal);
    if (!watch) {
      const waiters = new Set<Waiter>();
      const onAbort = (): void => {
        this.watches.delete(signal);
        for (const w of waiters) {
          this.remove(w);
          w.reject(signal.reason);
        }
      };
      watch = { waiters, onAbort };
      this.watches.set(signal, watch);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watch.waiters.add(waiter);
  }

  /** Forgets an admitted waiter; removes the listener when it was the signal's last waiter. */
  private unwatch(signal: AbortSignal, waiter: Waiter): void {
    const watch = this.watches.get(signal)!;
    watch.waiters.delete(waiter);
    if (watch.waiters.size === 0) {
      this.watches.delete(signal);
      signal.removeEventListener('abort', watch.onAbort);
    }
  }

  /** A release function for one slot: frees it, or hands it to the best waiter, exactly once. */
  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }

  private handOver(): void {
    if (this.heap.length === 0) {
      this.active--;
      return;
    }
    const waiter = this.heap[0];
    this.remove(waiter);
    this.admissions++;
    if (waiter.signal) this.unwatch(waiter.signal, waiter);
    waiter.resolve(this.releaser());
  }

  /** Takes `waiter` out of the heap. */
  private remove(waiter: Waiter): void {
    const i = waiter.index;
    const last = this.heap.pop()!;
    if (last === waiter) return;
    this.heap[i] = last;
    last.index = i;
    this.siftUp(i);
    this.siftDown(last.index);
  }

  /** Whether `a` is served before `b`: higher key, then earlier arrival. */
  private static before(a: Waiter, b: Waiter): boolean {
    return a.key > b.key || (a.key === b.key && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!Bulkhead.before(item, heap[parent])) break;
      heap[i] = heap[parent];
      heap[i].index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && Bulkhead.before(heap[right], heap[left]) ? right : left;
      if (!Bulkhead.before(heap[child], item)) break;
      heap[i] = heap[child];
      heap[i].index = i;
      i = child;
    }
    heap[i] = item;
    item.index = i;
  }
}
