/** The longest delay a Node timer takes; a longer one fires after ~1 ms (`TimeoutOverflowWarning`). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const noop = (): void => {};

/**
 * Keeps the process alive while any of our timers is pending, with ONE ref'd handle shared by
 * all of them. Each timer itself is `unref()`ed: a ref'd timer costs ~0.5 µs to set and clear
 * (Node refs and unrefs the loop's timer handle on every 0 <-> 1 transition), an unref'd one
 * ~0.1 µs. The shared handle is released one loop turn after the last timer is gone, so calls
 * that follow each other do not pay to take it again, and nothing is held once they stop.
 */
class KeepAlive {
  private pending = 0;
  private handle: NodeJS.Timeout | undefined;
  private releaseQueued = false;

  hold(): void {
    this.pending++;
    this.handle ??= setInterval(noop, MAX_TIMER_MS);
  }

  release(): void {
    if (--this.pending > 0 || this.releaseQueued) return;
    this.releaseQueued = true;
    setImmediate(this.releaseIfIdle);
  }

  private readonly releaseIfIdle = (): void => {
    this.releaseQueued = false;
    if (this.pending > 0 || !this.handle) return;
    clearInterval(this.handle);
    this.handle = undefined;
  };
}

const keepAlive = new KeepAlive();

/**
 * One timer of the system clock: unref'd (the shared {@link KeepAlive} holds the process while
 * it is pending), and chained past {@link MAX_TIMER_MS} so a long delay is never shortened.
 */
export class SystemTimer {
  private timeout: NodeJS.Timeout;
  private pending = true;

  constructor(
    private readonly callback: () => void,
    ms: number,
  ) {
    keepAlive.hold();
    this.timeout = ms > MAX_TIMER_MS ? this.chain(performance.now() + ms) : this.arm(ms);
  }

  clear(): void {
    if (!this.pending) return;
    this.pending = false;
    clearTimeout(this.timeout);
    keepAlive.release();
  }

  private arm(ms: number): NodeJS.Timeout {
    return setTimeout(this.fire, ms).unref();
  }

  private chain(at: number): NodeJS.Timeout {
    const left = at - performance.now();
    if (left <= MAX_TIMER_MS) return this.arm(Math.max(0, left));
    return setTimeout(() => (this.timeout = this.chain(at)), MAX_TIMER_MS).unref();
  }

  private readonly fire = (): void => {
    this.pending = false;
    keepAlive.release();
    this.callback();
  };
}
