/**
 * Joins concurrent misses of one key to a single execution: the first caller runs it, the others
 * get the same promise. The entry is gone as soon as the execution settles, so a rejection reaches
 * every waiter and the next call starts afresh.
 */
export class SingleFlight {
  private readonly inflight = new Map<string, Promise<unknown>>();

  /** The execution in flight for `key`, if any. */
  get(key: string): Promise<unknown> | undefined {
    return this.inflight.get(key);
  }

  /** Registers `execution` as the one in flight for `key` until it settles, and returns it. */
  track<T>(key: string, execution: Promise<T>): Promise<T> {
    const tracked: Promise<T> = execution.finally(() => {
      // After a clear() a newer execution may own the key: leave that one in place.
      if (this.inflight.get(key) === tracked) this.inflight.delete(key);
    });
    this.inflight.set(key, tracked);
    return tracked;
  }

  get size(): number {
    return this.inflight.size;
  }

  clear(): void {
    this.inflight.clear();
  }
}
