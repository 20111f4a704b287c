import type { Clock } from '../clock';
import { checkFiniteNumber, checkNonNegativeMs } from '../validation';

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` fires every timer due on the way, in order.
 * Pass it as `new ExecutionUtils({ clock })` to test TTLs, timeouts and retries without sleeping.
 *
 * @example
 * const clock = new ManualClock();
 * const utils = new ExecutionUtils({ clock });
 * utils.addToCache('k', 1, 1_000);
 * await clock.advance(1_001);
 * utils.getFromCache('k'); // undefined
 */
export class ManualClock implements Clock {
  // Starts far from zero: lru-cache treats a start time of 0 as "no TTL".
  private time: number;
  private seq = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(start = 1_000_000) {
    checkFiniteNumber('ManualClock(start)', start);
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.add(timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as PendingTimer);
  }

  /** Timers set and not yet fired or cleared: 0 after a call means none outlived it. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * A wait that completes at once by moving the clock forward `ms` (firing the timers due on the
   * way); rejects with the signal's reason if it is or becomes aborted. `ExecutionUtils.forTesting`
   * uses it for retry waits.
   */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    await this.advance(ms);
    if (signal?.aborted) throw signal.reason;
  }

  /**
   * Moves time forward by `ms`, firing due timers in time order and letting promise callbacks
   * run between them, so work a timer starts can set further timers that fire in the same advance.
   */
  async advance(ms: number): Promise<void> {
    // Time never runs backwards, and an infinite move would fire every timer ever set.
    checkNonNegativeMs('advance(ms)', ms);
    const target = this.time + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers.delete(next);
      this.time = next.at;
      next.callback();
      await flushMicrotasks();
    }
    this.time = target;
    await flushMicrotasks();
  }

  private nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) {
        best = t;
      }
    }
    return best;
  }
}

/**
 * Lets every queued promise callback run: a macrotask turn drains the microtask queue. It needs
 * the real `setImmediate`: with jest fake timers, leave `setImmediate` unfaked
 * (`jest.useFakeTimers({ doNotFake: ['setImmediate'] })`) or use ManualClock instead of them.
 */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
