import type { Lease } from '../remote-tier';

/** What a renewal found: the lock extended, the lock lost (another holds it), or no answer. */
export type Renewed = 'renewed' | 'lost' | 'failed';

/**
 * Keeps the locks this process holds alive while their loads run, so `lock.ttl` bounds how long
 * a crashed holder blocks its key, not how long a method may take. One timer for all of them,
 * running only while some lock is held: every third of the TTL it renews each lock held for at
 * least that long (most loads end sooner, and cost nothing but a Map entry).
 */
export class LockRenewals {
  private readonly held = new Map<Lease, { key: string; since: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ttl: number,
    private readonly renew: (key: string, lease: Lease) => Promise<Renewed>,
  ) {}

  /** Starts renewing `lease` (a lock this process holds) until `stop`. */
  start(key: string, lease: Lease): void {
    if (!lease.held) return;
    this.held.set(lease, { key, since: Date.now() });
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.period);
    this.timer.unref();
  }

  stop(lease: Lease): void {
    if (!this.held.delete(lease) || this.held.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  stopAll(): void {
    for (const lease of [...this.held.keys()]) this.stop(lease);
  }

  get size(): number {
    return this.held.size;
  }

  private get period(): number {
    return Math.max(1, Math.floor(this.ttl / 3));
  }

  private tick(): void {
    const due = Date.now() - this.period;
    for (const [lease, { key, since }] of this.held) {
      if (since > due) continue;
      void this.renew(key, lease).then((renewed) => {
        // Lost: another process holds the key now; renewing would fight over it.
        if (renewed === 'lost') this.stop(lease);
      });
    }
  }
}
