import type { Lease } from '../remote-tier';

/**
 * The lease of a claim whose reply came after its timeout. The call went on without it (its
 * method runs here, as on a miss), but Redis may have granted the lock all the same: `settled`
 * says so when the reply comes (the lease, or undefined: no lock), so the tier can write the
 * call's value through that lock or let it go, and no other process waits out `lock.wait` for a
 * holder that gave up. Until then it holds nothing, like a claim that never reached Redis.
 */
export class LateLease implements Lease {
  readonly fence = 0;
  readonly held = false;
  readonly token = '';
  readonly settled: Promise<Lease | undefined>;
  private resolve!: (lease: Lease | undefined) => void;

  /**
   * @param fallback the lease to write through when the reply grants no lock: the fence of a
   * caller that had already waited for another holder (undefined: none, nothing is written)
   */
  constructor(private readonly fallback: Lease | undefined) {
    this.settled = new Promise((resolve) => (this.resolve = resolve));
  }

  /** The claim's reply came (or will not: undefined). Later calls change nothing. */
  settle(lease: Lease | undefined): void {
    this.resolve(lease ?? this.fallback);
  }
}
