import type { Clock } from '../clock';
import type { RemoteTier } from '../cache/remote-tier';
import type { CircuitBreaker, CircuitState } from './circuit-breaker';

/**
 * Circuit breakers shared by every process of a namespace (`@CircuitBreaker({ shared: true })`),
 * over the Redis tier. A process whose breaker opens tells the others (pub/sub), which open
 * theirs at once, and claims the breaker's half-open trial in Redis: the process holding the
 * claim sends the trial when its open period ends; every other one stays open for twice that
 * period, waiting for the verdict: closed (they close) or open again (they wait once more). If
 * no verdict comes (the holder died), they turn half-open themselves when that period ends.
 * When Redis cannot be asked, a process keeps its own trial, as an unshared breaker would.
 */
export class SharedBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** The last opening heard per breaker name, as the clock time its wait ends. */
  private readonly heardOpen = new Map<string, number>();
  /** Breakers whose trial this process holds, with the clock time it is due. */
  private readonly trials = new Map<string, number>();
  /** Set while a change heard from another process is applied: it is not sent back. */
  private applying = false;

  constructor(
    private readonly remote: RemoteTier,
    private readonly clock: Clock,
  ) {
    remote.onBreaker((name, state, openMs) => this.heard(name, state, openMs));
  }

  /**
   * Shares `breaker`, applying an opening heard before it was made, or else one made before
   * this process listened: Redis keeps the claim on the trial while any process has the breaker
   * open, and the breaker stays open for what that claim has left (the process that holds it
   * sends the trial; its verdict arrives like any other).
   */
  share(breaker: CircuitBreaker): void {
    this.breakers.set(breaker.name, breaker);
    const until = this.heardOpen.get(breaker.name);
    const left = until === undefined ? 0 : until - this.clock.now();
    if (left > 0) {
      this.apply(() => breaker.openFor(left));
      return;
    }
    void this.remote.breakerOpenLeft(breaker.name).then((ms) => {
      // Only a breaker nothing has moved since: an opening of its own or one heard is newer.
      if (!ms || breaker.state !== 'closed') return;
      this.apply(() => breaker.openFor(ms));
    });
  }

  /** A shared breaker changed state here: the others hear of an opening or a closing. */
  changed(name: string, to: CircuitState): void {
    const breaker = this.breakers.get(name);
    if (this.applying || !breaker) return;
    if (to === 'closed') {
      void this.remote.publishBreaker(name, 'closed', 0);
      if (this.trials.delete(name)) void this.remote.releaseBreakerTrial(name);
      return;
    }
    const openMs = breaker.openRemainingMs;
    // An isolated breaker (open for ever) stays this process's own business.
    if (to !== 'open' || !Number.isFinite(openMs)) return;
    const due = this.clock.now() + openMs;
    this.trials.set(name, due);
    void this.remote.publishBreaker(name, 'open', openMs);
    void this.remote.claimBreakerTrial(name, 2 * openMs).then((mine) => {
      if (mine === false) {
        // Another process holds the trial: wait for its verdict.
        this.trials.delete(name);
        if (breaker.state === 'open') this.apply(() => breaker.openFor(2 * openMs));
      } else if (breaker.state === 'open' && breaker.openRemainingMs > due - this.clock.now()) {
        // Ours (or Redis could not say): an opening heard meanwhile must not delay it.
        this.apply(() => breaker.openFor(Math.max(0, due - this.clock.now())));
      }
    });
  }

  private heard(name: string, state: 'open' | 'closed', openMs: number): void {
    const breaker = this.breakers.get(name);
    if (state === 'closed') {
      this.heardOpen.delete(name);
      if (breaker) this.apply(() => breaker.reset());
      return;
    }
    const wait = 2 * openMs;
    this.heardOpen.set(name, this.clock.now() + wait);
    // This process's own trial is due first: it stays so.
    if (!breaker || (this.trials.has(name) && breaker.state === 'open')) return;
    this.apply(() => breaker.openFor(wait));
  }

  private apply(change: () => void): void {
    this.applying = true;
    try {
      change();
    } finally {
      this.applying = false;
    }
  }
}
