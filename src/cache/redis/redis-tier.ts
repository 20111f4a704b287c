import { sleep, systemClock } from '../../clock';
import { CircuitBreaker, type CircuitState, type Permit } from '../../resilience/circuit-breaker';
import { UnencodableValueError } from '../../errors';
import type { Claim, Lease, RemoteHealth, RemoteTier } from '../remote-tier';
import type { CacheEntry, Invalidation } from '../store';
import { ConnectionErrors } from './connection-errors';
import { InvalidationBus } from './invalidation-bus';
import { closeConnection, connectRedis, type RedisClientLike } from './redis-client';
import type { ResolvedRedisOptions } from './redis-options';
import { RedisStore } from './redis-store';
import { errorMessage } from '../../error-message';

/** Why a Redis command did not help the call. */
export type RemoteErrorReason = 'error' | 'timeout' | 'breaker-open' | 'decode' | 'encode';

/** What the tier tells its service. */
export interface TierReports {
  error(command: string, reason: RemoteErrorReason, error?: unknown): void;
  /** Another process invalidated `what`: drop it here. */
  invalidated(what: Invalidation): void;
  /** The invalidation channel reconnected: messages may have been missed. */
  resync(): void;
  breakerStateChange(from: CircuitState, to: CircuitState): void;
}

/**
 * The lease of a claim that did not reach Redis. Its writes are skipped, and would be fenced as
 * of nothing anyway (refused wherever Redis knows a newer fence).
 */
const NO_LEASE: Lease = { fence: 0, held: false, token: '' };
/** A command that did not answer within its timeout. */
class TierTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
  }
}
/** First and longest pause between two looks at a key another process is loading. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;
/** Invalidations walk sets and many keys: they get this many command timeouts. */
const INVALIDATION_TIMEOUTS = 20;

/**
 * The Redis tier as the cache stage needs it: every call resolves, none rejects. Each command has
 * its own timeout and goes through the tier's circuit breaker, so a slow, hung or dead Redis costs
 * a call at most one timeout before the method runs, and nothing once the breaker is open. Its
 * timers are real (Redis is), whatever clock the service uses.
 */
export class RedisTier implements RemoteTier {
  private readonly store: RedisStore;
  private readonly bus: InvalidationBus;
  private readonly breaker: CircuitBreaker;
  /** The connections' last errors: the cause behind a command refused for want of one. */
  private readonly connections = new ConnectionErrors();
  /** Writes and releases not awaited by the call that made them; `close()` waits for them. */
  private readonly background = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly options: ResolvedRedisOptions,
    private readonly reports: TierReports,
    private readonly client: RedisClientLike = options.client ??
      connectRedis(options.url!, options.commandTimeout),
  ) {
    // A client passed in is its owner's to listen to (a listener here would silence its
    // unhandled errors); the bus watches the subscriber it duplicates from any client.
    if (!options.client) this.connections.watch(client);
    this.store = new RedisStore(client, options.namespace, () => reports.error('read', 'decode'));
    this.breaker = new CircuitBreaker(
      `redis:${options.namespace}`,
      {
        consecutiveFailures: options.breaker.failures,
        halfOpenAfter: options.breaker.halfOpenAfter,
      },
      systemClock,
      (from, to) => reports.breakerStateChange(from, to),
    );
    this.bus = new InvalidationBus(
      client,
      this.store.keys.channel,
      (what) => reports.invalidated(what),
      () => reports.resync(),
      this.connections,
    );
    this.bus.start();
  }

  async claim(key: string): Promise<Claim> {
    const { lock } = this.options;
    const deadline = Date.now() + (lock ? lock.wait : 0);
    let waited: Lease | undefined;
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
      const found = await this.guard('claim', undefined, () =>
        this.store.claim(key, lock ? lock.ttl : 0),
      );
      // Redis unreachable: the method runs here, as without a tier.
      if (!found) return { kind: 'lease', lease: waited ?? NO_LEASE };
      if (found.kind === 'entry') return found;
      if (found.kind === 'lease') return { kind: 'lease', lease: found.lease };
      waited ??= found.lease;
      if (!lock || Date.now() >= deadline) return { kind: 'lease', lease: waited };
      await sleep(systemClock, Math.min(pause, Math.max(1, deadline - Date.now())));
    }
  }

  write(key: string, entry: CacheEntry, lease: Lease): Promise<void> {
    // The claim never reached Redis (down, or the breaker open): the write would not either.
    if (lease === NO_LEASE) return Promise.resolve();
    return this.track(
      (async () => {
        const done = await this.guard('write', false, async () => {
          await this.store.writeFenced(key, entry, lease);
          return true;
        });
        // The write script releases the lock; a write that never ran (an error, a timeout, the
        // breaker open) must still let it go, or every process waits for it until its TTL.
        if (!done) await this.letGo(key, lease);
      })(),
    );
  }

  release(key: string, lease: Lease): Promise<void> {
    return this.track(this.letGo(key, lease));
  }

  async invalidate(what: Invalidation): Promise<void> {
    const timeout = this.options.commandTimeout * INVALIDATION_TIMEOUTS;
    await this.guard('invalidate', 0, () => this.store.invalidate(what), timeout);
    await this.guard('publish', 0, () => this.bus.publish(what));
  }

  async health(): Promise<RemoteHealth> {
    const breaker = this.breaker.state;
    const started = performance.now();
    let health: RemoteHealth;
    try {
      await this.withTimeout(this.store.ping(), this.options.commandTimeout * 10);
      health = { status: 'up', latencyMs: performance.now() - started, breaker };
    } catch (error) {
      health = { status: 'down', breaker, error: errorMessage(error) };
    }
    const last = this.connections.last;
    return last === undefined ? health : { ...health, lastError: errorMessage(last) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.background);
    // A client passed in belongs to its owner; one made from a URL is ours to close.
    await Promise.all([
      this.bus.close(),
      this.options.client ? undefined : closeConnection(this.client),
    ]);
  }

  /**
   * Releases a held lock past the breaker (cleanup of our own lock, harmless: the script checks
   * the token), under the command timeout; a failure leaves the lock to its TTL.
   */
  private async letGo(key: string, lease: Lease): Promise<void> {
    if (!lease.held) return;
    try {
      await this.withTimeout(this.store.release(key, lease), this.options.commandTimeout);
    } catch (error) {
      this.reportFailure('release', error);
    }
  }

  private track(work: Promise<void>): Promise<void> {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
    return work;
  }

  /**
   * Runs one command under the breaker and a timeout; its failure, timeout or the open breaker
   * is reported and answered with `fallback`.
   */
  private async guard<T>(
    command: string,
    fallback: T,
    run: () => Promise<T>,
    timeoutMs = this.options.commandTimeout,
  ): Promise<T> {
    let permit: Permit;
    try {
      permit = this.breaker.acquire();
    } catch {
      this.reports.error(command, 'breaker-open');
      return fallback;
    }
    try {
      const result = await this.withTimeout(run(), timeoutMs);
      this.breaker.success(permit);
      return result;
    } catch (error) {
      if (error instanceof UnencodableValueError) {
        // The value, not Redis, is at fault: it stays in this process's tier only.
        this.breaker.release(permit);
        this.reports.error(command, 'encode', error);
      } else {
        this.breaker.failure(permit, error);
        this.reportFailure(command, error);
      }
      return fallback;
    }
  }

  /**
   * Reports a command that failed or timed out. One refused for want of a connection reports the
   * connection's own error (`connect ECONNREFUSED ...`), which says what to fix, rather than
   * ioredis's "Reached the max retries per request limit".
   */
  private reportFailure(command: string, error: unknown): void {
    if (error instanceof TierTimeout) return this.reports.error(command, 'timeout', error);
    const cause = this.client.status === 'ready' ? undefined : this.connections.last;
    this.reports.error(command, 'error', cause ?? error);
  }

  /** `work`, or a TierTimeout after `ms` (the timer never holds the process). */
  private withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TierTimeout(ms)), ms);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
