import type { CacheEntry, CacheStore, Invalidation } from '../../src/cache/store';

/**
 * A store that fails, hangs and delays on command, wrapped around a working one: what the cache
 * stage must survive from a remote tier (Redis down, Redis stalled, Redis slow). It always
 * answers with promises, as a remote tier does, even when the inner store answers at once.
 */

type Operation = 'read' | 'write' | 'invalidate';

type Mode =
  | { readonly kind: 'normal' }
  | { readonly kind: 'fail'; readonly error: Error }
  | { readonly kind: 'hang' }
  | { readonly kind: 'delay'; readonly ms: number };

const NORMAL: Mode = { kind: 'normal' };

const storeDown = (): Error => new Error('chaos: store down');

export class ChaosStore implements CacheStore {
  private mode: Mode = NORMAL;
  private failuresLeft = 0;
  private nextFailure: Error = storeDown();
  private readonly counts: Record<Operation, number> = { read: 0, write: 0, invalidate: 0 };
  /** Releases the calls held back by hang() or delay(): heal() lets them all through at once. */
  private readonly held = new Set<() => void>();

  constructor(private readonly inner: CacheStore) {}

  /** Every call from now on rejects with `error`. */
  failWith(error: Error = storeDown()): this {
    this.mode = { kind: 'fail', error };
    return this;
  }

  /** Every call from now on stays pending until heal(), then goes on to the inner store. */
  hang(): this {
    this.mode = { kind: 'hang' };
    return this;
  }

  /** Every call from now on waits `ms` (a real timer), then goes on to the inner store. */
  delay(ms: number): this {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`delay: ${ms} is not a duration`);
    this.mode = { kind: 'delay', ms };
    return this;
  }

  /** The next `n` calls reject with `error`; the calls after them behave as the mode says. */
  failNext(n: number, error: Error = storeDown()): this {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`failNext: ${n} is not a count`);
    this.failuresLeft = n;
    this.nextFailure = error;
    return this;
  }

  /** Back to normal: failures are forgotten, hung and delayed calls go on to the inner store now. */
  heal(): this {
    this.mode = NORMAL;
    this.failuresLeft = 0;
    for (const release of [...this.held]) release();
    return this;
  }

  /** How many calls of each operation arrived, failed and held ones included (a snapshot). */
  get calls(): Readonly<Record<Operation, number>> {
    return { ...this.counts };
  }

  read(key: string): Promise<CacheEntry | undefined> {
    return this.run('read', () => this.inner.read(key));
  }

  write(key: string, entry: CacheEntry): Promise<void> {
    return this.run('write', () => this.inner.write(key, entry));
  }

  invalidate(what: Invalidation): Promise<number> {
    return this.run('invalidate', () => this.inner.invalidate(what));
  }

  private async run<T>(operation: Operation, proceed: () => T | Promise<T>): Promise<T> {
    this.counts[operation]++;
    await this.disruption();
    return proceed();
  }

  /** What the current command does to one call: settles when the call may go on. */
  private disruption(): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return Promise.reject(this.nextFailure);
    }
    switch (this.mode.kind) {
      case 'normal':
        return Promise.resolve();
      case 'fail':
        return Promise.reject(this.mode.error);
      case 'hang':
        return this.hold();
      case 'delay':
        return this.hold(this.mode.ms);
    }
  }

  /** Pending until heal(), or until `ms` have passed when given. */
  private hold(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      // A normal (ref'd) timer: a delayed call is work in flight, as a slow socket would be.
      // heal() clears it, so a healed store leaves no timer behind.
      let timer: NodeJS.Timeout | undefined;
      const release = (): void => {
        clearTimeout(timer);
        this.held.delete(release);
        resolve();
      };
      this.held.add(release);
      if (ms !== undefined) timer = setTimeout(release, ms);
    });
  }
}
