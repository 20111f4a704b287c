import { randomUUID } from 'node:crypto';
import { sleep, systemClock } from '../../clock';
import { CircuitBreaker, type Permit } from '../../resilience/circuit-breaker';
import { UnencodableValueError } from '../../errors';
import type { Claim, Lease, RemoteHealth, RemoteTier } from '../remote-tier';
import type { CacheEntry, Invalidation } from '../store';
import { CommandBatcher, type Attempt, type Outcome } from './command-batcher';
import { ConnectionErrors } from './connection-errors';
import { InvalidationBus } from './invalidation-bus';
import { LateLease } from './late-lease';
import { LockRenewals, type Renewed } from './lock-renewals';
import { closeConnection, connectRedis, type RedisClientLike } from './redis-client';
import type { ResolvedRedisOptions } from './redis-options';
import {
  RedisStore,
  type ClaimRequest,
  type PreparedWrite,
  type RawClaim,
  type SharedWindow,
} from './redis-store';
import type { TierReports } from './tier-reports';
import { errorMessage } from '../../error-message';

export type { RemoteErrorReason, TierReports } from './tier-reports';

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
/** A command not sent: the connection is known to be down (it was up, or failed to come up). */
class ConnectionDown extends Error {
  constructor(status: string) {
    super(`the Redis connection is down (${status}): the command was not sent`);
  }
}
/** Connection states of a client that is not connected and is not making its first attempt. */
const DOWN = new Set(['reconnecting', 'close', 'end']);
/** ioredis's own timeout (its `commandTimeout` option, on a client passed in). */
const isIoredisTimeout = (error: unknown): boolean =>
  error instanceof Error && error.message === 'Command timed out';

/** One key's claim in a batch, and its late lease if its reply came late. */
interface TierClaim extends ClaimRequest {
  /** The lease of `waited`: a poll that timed out still writes fenced as of its first ask. */
  readonly waited: Lease | undefined;
  late?: LateLease;
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
  private readonly claims: CommandBatcher<TierClaim, RawClaim>;
  private readonly writes: CommandBatcher<PreparedWrite, boolean>;
  private readonly renewals: LockRenewals | undefined;
  /** Late leases whose reply has not come: `close()` gives up on them. */
  private readonly late = new Set<LateLease>();
  /** Whether the connection has been ready: once it has, any other state means down. */
  private everReady = false;
  private closed = false;
  /** This process's token for what it claims by name (a shared breaker's trial). */
  private readonly token = randomUUID();

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
    const attempt: Attempt = (run, onLate) => this.attempt(run, options.commandTimeout, onLate);
    const lock = options.lock;
    this.claims = new CommandBatcher(
      (batch) => this.store.claimMany(batch, lock ? lock.ttl : 0),
      attempt,
      (request, reply) => this.lateClaim(request, reply),
    );
    this.writes = new CommandBatcher((batch) => this.store.writeMany(batch), attempt);
    this.renewals = lock
      ? new LockRenewals(lock.ttl, (key, lease) => this.renew(key, lease))
      : undefined;
  }

  async claim(key: string, replacing?: number): Promise<Claim> {
    const { lock } = this.options;
    const deadline = Date.now() + (lock ? lock.wait : 0);
    let waited: Lease | undefined;
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
      const request: TierClaim = { key, token: randomUUID(), replacing, waited };
      const outcome = await this.claims.run(request);
      if (!outcome.ok) {
        this.reports.error('claim', outcome.reason, outcome.error);
        // Sent, but not answered in time: the reply may yet grant the lock.
        if (outcome.unanswered && lock) return { kind: 'lease', lease: this.lateLease(request) };
        // Redis unreachable: the method runs here, as without a tier.
        return { kind: 'lease', lease: waited ?? NO_LEASE };
      }
      const found = outcome.value;
      if (found.kind === 'entry') return found;
      if (found.kind === 'lease') {
        this.renewals?.start(key, found.lease);
        return { kind: 'lease', lease: found.lease };
      }
      waited ??= found.lease;
      if (!lock || Date.now() >= deadline) return { kind: 'lease', lease: waited };
      await sleep(systemClock, Math.min(pause, Math.max(1, deadline - Date.now())));
    }
  }

  write(key: string, entry: CacheEntry, lease: Lease): Promise<void> {
    // The claim never reached Redis (down, or the breaker open): the write would not either.
    if (lease === NO_LEASE) return Promise.resolve();
    if (lease instanceof LateLease) {
      return this.track(lease.settled.then((real) => real && this.writeNow(key, entry, real)));
    }
    return this.track(this.writeNow(key, entry, lease));
  }

  release(key: string, lease: Lease): Promise<void> {
    if (lease instanceof LateLease) {
      return this.track(lease.settled.then((real) => real && this.letGo(key, real)));
    }
    return this.track(this.letGo(key, lease));
  }

  async invalidate(what: Invalidation): Promise<void> {
    const timeout = this.options.commandTimeout * INVALIDATION_TIMEOUTS;
    await this.guard('invalidate', 0, () => this.store.invalidate(what), timeout);
    await this.guard('publish', 0, () => this.bus.publish(what));
  }

  async admit(limiter: string, budget: string, window: SharedWindow): Promise<number | undefined> {
    const outcome = await this.attempt(
      () => this.store.admit(limiter, budget, window),
      this.options.commandTimeout,
    );
    if (outcome.ok) return outcome.value;
    this.reports.error('rate-limit', outcome.reason, outcome.error);
    return undefined;
  }

  async publishBreaker(name: string, state: 'open' | 'closed', openMs: number): Promise<void> {
    const channel = this.store.keys.breakerChannel;
    await this.guard('publish', 0, () => this.bus.send(channel, { b: name, s: state, ms: openMs }));
  }

  async claimBreakerTrial(name: string, ttl: number): Promise<boolean | undefined> {
    const outcome = await this.attempt(
      () => this.store.claimTrial(name, this.token, ttl),
      this.options.commandTimeout,
    );
    if (outcome.ok) return outcome.value;
    this.reports.error('breaker-trial', outcome.reason, outcome.error);
    return undefined;
  }

  async breakerOpenLeft(name: string): Promise<number | undefined> {
    const outcome = await this.attempt(
      () => this.store.trialLeft(name),
      this.options.commandTimeout,
    );
    if (outcome.ok) return outcome.value;
    this.reports.error('breaker-trial', outcome.reason, outcome.error);
    return undefined;
  }

  async releaseBreakerTrial(name: string): Promise<void> {
    await this.guard('breaker-trial', undefined, () => this.store.releaseTrial(name, this.token));
  }

  onBreaker(listener: (name: string, state: 'open' | 'closed', openMs: number) => void): void {
    this.bus.listen(this.store.keys.breakerChannel, (message) => {
      const { b: name, s: state, ms } = message;
      if (typeof name !== 'string' || typeof ms !== 'number' || !(ms >= 0)) return;
      if (state === 'open' || state === 'closed') listener(name, state, ms);
    });
  }

  async health(): Promise<RemoteHealth> {
    const breaker = this.breaker.state;
    const started = performance.now();
    let health: RemoteHealth;
    try {
      if (this.down()) throw new ConnectionDown(this.client.status);
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
    this.renewals?.stopAll();
    // A reply still owed after this would find its connection closed: nothing to wait for.
    for (const late of this.late) late.settle(undefined);
    await Promise.all(this.background);
    // A client passed in belongs to its owner; one made from a URL is ours to close.
    await Promise.all([
      this.bus.close(),
      this.options.client ? undefined : closeConnection(this.client),
    ]);
  }

  /**
   * Encodes and writes `entry` through `lease` (batched with the writes of the same turn); a
   * write that never ran (unencodable, not fresh, an error, a timeout, the breaker open) still
   * lets the lock go, or every process waits for it until its TTL.
   */
  private async writeNow(key: string, entry: CacheEntry, lease: Lease): Promise<void> {
    this.renewals?.stop(lease);
    let prepared: PreparedWrite | undefined;
    try {
      prepared = this.store.prepare(key, entry, lease);
    } catch (error) {
      // The value, not Redis, is at fault: it stays in this process's tier only.
      this.reports.error(
        'write',
        error instanceof UnencodableValueError ? 'encode' : 'error',
        error,
      );
    }
    if (!prepared) return this.letGo(key, lease);
    const outcome = await this.writes.run(prepared);
    if (!outcome.ok) {
      this.reports.error('write', outcome.reason, outcome.error);
      await this.letGo(key, lease);
    }
  }

  /**
   * Releases a held lock past the breaker (cleanup of our own lock, harmless: the script checks
   * the token), under the command timeout; a failure leaves the lock to its TTL.
   */
  private async letGo(key: string, lease: Lease): Promise<void> {
    this.renewals?.stop(lease);
    if (!lease.held) return;
    try {
      await this.withTimeout(this.store.release(key, lease), this.options.commandTimeout);
    } catch (error) {
      this.reports.error('release', this.reasonOf(error), this.causeOf(error));
    }
  }

  private async renew(key: string, lease: Lease): Promise<Renewed> {
    const ttl = this.options.lock ? this.options.lock.ttl : 0;
    const outcome = await this.attempt(
      () => this.store.renew(key, lease, ttl),
      this.options.commandTimeout,
    );
    if (outcome.ok) return outcome.value ? 'renewed' : 'lost';
    this.reports.error('renew', outcome.reason, outcome.error);
    return 'failed';
  }

  /** The late lease of `request`, whose claim was sent but not answered in time. */
  private lateLease(request: TierClaim): LateLease {
    const late = (request.late ??= new LateLease(request.waited));
    this.late.add(late);
    void late.settled.then(() => this.late.delete(late));
    return late;
  }

  /** The reply to a claim that had timed out: a lock it holds goes to the call that gave up. */
  private lateClaim(request: TierClaim, reply: RawClaim | undefined): void {
    const lease = reply?.kind === 'lease' ? reply.lease : undefined;
    if (lease && !this.closed) this.renewals?.start(request.key, lease);
    (request.late ??= new LateLease(request.waited)).settle(lease);
  }

  private track(work: Promise<void | undefined>): Promise<void> {
    const done = work.then(() => {});
    this.background.add(done);
    void done.finally(() => this.background.delete(done));
    return done;
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
    const outcome = await this.attempt(run, timeoutMs);
    if (outcome.ok) return outcome.value;
    this.reports.error(command, outcome.reason, outcome.error);
    return fallback;
  }

  /**
   * Runs one command under the breaker and a timeout. Not sent at all while the breaker is open
   * or the connection is known to be down (no queueing: the call goes on at once).
   */
  private async attempt<T>(
    run: () => Promise<T>,
    timeoutMs: number,
    onLate?: (late: Promise<T>) => void,
  ): Promise<Outcome<T>> {
    let permit: Permit;
    try {
      permit = this.breaker.acquire();
    } catch {
      return { ok: false, reason: 'breaker-open' };
    }
    if (this.down()) {
      const error = this.connections.last ?? new ConnectionDown(this.client.status);
      // A failure like any other: the breaker opens, and its trial finds the connection back.
      this.breaker.failure(permit, error);
      return { ok: false, reason: 'error', error };
    }
    const work = run();
    try {
      const value = await this.withTimeout(work, timeoutMs);
      this.breaker.success(permit);
      return { ok: true, value };
    } catch (error) {
      this.breaker.failure(permit, error);
      if (error instanceof TierTimeout) {
        onLate?.(work);
        return { ok: false, reason: 'timeout', error, unanswered: true };
      }
      return { ok: false, reason: this.reasonOf(error), error: this.causeOf(error) };
    }
  }

  /** Whether the connection is known to be down: commands would only queue. */
  private down(): boolean {
    const status = this.client.status;
    if (status === 'ready') {
      this.everReady = true;
      return false;
    }
    return this.everReady || DOWN.has(status);
  }

  private reasonOf(error: unknown): 'timeout' | 'error' {
    return error instanceof TierTimeout || isIoredisTimeout(error) ? 'timeout' : 'error';
  }

  /**
   * What to report for a failed command. One refused for want of a connection reports the
   * connection's own error (`connect ECONNREFUSED ...`), which says what to fix, rather than
   * ioredis's "Reached the max retries per request limit".
   */
  private causeOf(error: unknown): unknown {
    if (this.reasonOf(error) === 'timeout' || this.client.status === 'ready') return error;
    return this.connections.last ?? error;
  }

  /**
   * `work`, or a TierTimeout after `ms` (the timer never holds the process). The verdict waits
   * for the poll phase after the timer: a reply already in the socket while the event loop was
   * busy (a burst of calls, a long synchronous task) is read first, not counted as a timeout.
   */
  private withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => setImmediate(() => reject(new TierTimeout(ms))), ms);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
