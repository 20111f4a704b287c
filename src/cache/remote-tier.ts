import type { CacheEntry, Invalidation } from './store';

/**
 * A tier shared by many processes (Redis), as the cache stage and the shared policies (rate
 * limits, circuit breakers) see it: every method resolves, and none rejects, whatever the server
 * does. A failure, a timeout or an open breaker reads as a miss
 * or a write not made, counted by the tier, so the caller's method runs as if there were no tier.
 */
export interface RemoteTier {
  /**
   * Cross-process single-flight for a cold `key`: a lease to load it (this process runs the
   * method), or the entry another process's lease holder stored while this one waited. A holder
   * that crashed loses its lease when the lease's TTL ends; a waiter that waited its bound out gets
   * a lease that fences nothing and loads the key itself. `replacing`: the caller refreshes a copy
   * of that version early (`CacheEntry.version`, `refreshAhead`), so that entry is no answer: only
   * a newer one is, else the lease (at most one process refreshes a key at a time).
   */
  claim(key: string, replacing?: number): Promise<Claim>;
  /** Stores `entry` (and releases `lease`), unless a newer lease or an invalidation came after it. */
  write(key: string, entry: CacheEntry, lease: Lease): Promise<void>;
  /** Gives `lease` up without writing (the method failed, or its result is not cached). */
  release(key: string, lease: Lease): Promise<void>;
  /** Drops what `what` names from the tier and tells every other process to drop it from its L1. */
  invalidate(what: Invalidation): Promise<void>;
  /**
   * One call of a rate limit shared by every process (`@RateLimit({ shared: true })`): 0 when
   * admitted, else the ms until a call would be; undefined when the tier could not be asked
   * (down, slow, its breaker open): the caller falls back to a limit of its own.
   */
  admit(
    limiter: string,
    budget: string,
    window: { readonly limit: number; readonly intervalMs: number; readonly burst: number },
  ): Promise<number | undefined>;
  /**
   * Tells every other process that the shared breaker `name` opened (for `openMs`) or closed.
   * Resolves whatever happens (a message lost to a Redis outage is one the others miss).
   */
  publishBreaker(name: string, state: 'open' | 'closed', openMs: number): Promise<void>;
  /**
   * Claims the half-open trial of the shared breaker `name` for this process for `ttl` ms (or
   * keeps it, if it holds it): true if it holds it now, false if another process does, undefined
   * when Redis could not be asked.
   */
  claimBreakerTrial(name: string, ttl: number): Promise<boolean | undefined>;
  /** Gives the trial of `name` up (its breaker closed here). */
  releaseBreakerTrial(name: string): Promise<void>;
  /**
   * How long the shared breaker `name` stays open across the processes, in ms: what the claim on
   * its trial has left (0 when no process has it open), undefined when Redis could not be asked.
   * A process that starts while another has the breaker open reads it here.
   */
  breakerOpenLeft(name: string): Promise<number | undefined>;
  /** Hears the other processes' shared breaker changes. */
  onBreaker(listener: (name: string, state: 'open' | 'closed', openMs: number) => void): void;
  /** Whether the tier answers, with its round-trip time. */
  health(): Promise<RemoteHealth>;
  /** Closes the connections. */
  close(): Promise<void>;
}

export type Claim =
  | { readonly kind: 'entry'; readonly entry: CacheEntry }
  | { readonly kind: 'lease'; readonly lease: Lease };

/** The right to write a key: its fencing token (0 when Redis could not be asked). */
export interface Lease {
  readonly fence: number;
  /** Whether this process holds the key's lock (and must release it after writing). */
  readonly held: boolean;
  /** The lock's value while held ('' otherwise): only its holder may release it. */
  readonly token: string;
}

export interface RemoteHealth {
  readonly status: 'up' | 'down';
  /** Round-trip time of a PING in ms; undefined when down. */
  readonly latencyMs?: number;
  /** The tier's circuit breaker. */
  readonly breaker: 'closed' | 'open' | 'half-open';
  /** Why the health check's PING failed; undefined when up. */
  readonly error?: string;
  /**
   * The last error of a tier connection that has not connected since (`connect ECONNREFUSED
   * 10.0.0.5:6379`, `getaddrinfo ENOTFOUND redis`): the cause behind `error`, which for a server
   * that cannot be reached is only "Reached the max retries per request limit". Undefined while
   * every connection is up.
   */
  readonly lastError?: string;
}
