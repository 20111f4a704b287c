import { randomUUID } from 'node:crypto';
import { decodeEntry, encodeEntry } from '../codec';
import type { CacheEntry, CacheStore, Invalidation } from '../store';
import type { Lease } from '../remote-tier';
import type { RedisClientLike, RedisNodeLike } from './redis-client';
import { RedisKeys } from './redis-keys';
import {
  ADMIT,
  CLAIM,
  CLAIM_TRIAL,
  DROP,
  DROP_LABELLED,
  INDEX,
  READ,
  RELEASE,
  RENEW,
  TAKE_INDEX,
  TRIAL_LEFT,
  WRITE,
} from './scripts';

/** How long an invalidation's fence outlives it: a load running longer may still write back. */
const TOMBSTONE_MS = 60_000;
/** Where the codec's envelope keeps each label (see codec.ts). */
const ENVELOPE_FIELD = { operation: 'o', tenant: 't', tag: 'x' } as const;
/** Keys deleted per UNLINK while clearing a namespace. */
const SCAN_BATCH = 500;

/** What `claim` found: the entry, the lock (a lease), or another holder's lock. */
export type RawClaim =
  | { readonly kind: 'entry'; readonly entry: CacheEntry }
  | { readonly kind: 'lease' | 'busy'; readonly lease: Lease };

/** A claim that found data it could not decode, twice: a miss, fenced by nothing. */
const NOTHING: RawClaim = { kind: 'busy', lease: { fence: 0, held: false, token: '' } };

/** One key to claim: its lock token, and the version of a value that does not count (CLAIM). */
export interface ClaimRequest {
  readonly key: string;
  readonly token: string;
  readonly replacing?: number;
}

/** The window of a shared rate limit, as ADMIT takes it. */
export interface SharedWindow {
  readonly limit: number;
  readonly intervalMs: number;
  readonly burst: number;
}

/** An entry encoded for `writeMany`. */
export interface PreparedWrite {
  readonly key: string;
  readonly entry: CacheEntry;
  readonly payload: string;
  /** Its expiry in ms ('0': none). */
  readonly px: number;
  /** The writer's fence ('': as of the server's clock now). */
  readonly fence: string;
  /** The writer's lock token ('' if it holds none). */
  readonly token: string;
}

/**
 * The cache in Redis: one string per entry (the codec's envelope, `PX` = the time it stays fresh),
 * sets of keys per operation, tenant and tag for invalidation, and a fence per key that a write
 * must not be older than. Commands throw on failure; the tier above decides what a failure means.
 * Data it cannot decode is a miss, reported through `onUndecodable`.
 */
export class RedisStore implements CacheStore {
  readonly keys: RedisKeys;

  constructor(
    private readonly client: RedisClientLike,
    namespace: string,
    private readonly onUndecodable: (key: string, reason: string) => void = () => {},
  ) {
    this.keys = new RedisKeys(namespace);
  }

  async read(key: string): Promise<CacheEntry | undefined> {
    const [payload, pttl] = (await READ.run(this.client, [this.keys.value(key)], [])) as [
      string | null,
      number,
    ];
    return payload ? this.decode(key, payload, pttl) : undefined;
  }

  /** Stores `entry` as a write that started now (an older load's fenced write then loses). */
  async write(key: string, entry: CacheEntry): Promise<void> {
    await this.writeFenced(key, entry, { fence: 0, held: false, token: '' }, true);
  }

  /**
   * The entry, else the key's lock for `lockTtl` ms (a lease whose fence orders it after every
   * earlier one), else `busy` with the fence a write after waiting must carry.
   */
  async claim(key: string, lockTtl: number): Promise<RawClaim> {
    const [claim] = await this.claimMany([{ key, token: randomUUID() }], lockTtl);
    return claim;
  }

  /**
   * `claim` for many keys, with one lock token each: one round trip on a single server, one
   * command per key on a Cluster (its keys live in different slots). A request `replacing` a
   * version skips the value of that version, as if it were absent (an early refresh).
   */
  async claimMany(
    requests: readonly ClaimRequest[],
    lockTtl: number,
    retried = false,
  ): Promise<RawClaim[]> {
    const replies = await this.perServer(requests.length, (from, to) => {
      const redisKeys: string[] = [];
      const args: (string | number)[] = [lockTtl];
      for (let i = from; i < to; i++) {
        const { key, token, replacing } = requests[i];
        redisKeys.push(this.keys.value(key), this.keys.lock(key), this.keys.fence(key));
        args.push(token, replacing === undefined ? '' : String(replacing));
      }
      return CLAIM.run(this.client, redisKeys, args);
    });
    const claims: RawClaim[] = [];
    const undecodable: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const { key, token } = requests[i];
      const kind = replies[i * 4] as string;
      const payloadOrFence = replies[i * 4 + 1] as string;
      if (kind === 'entry') {
        const version = Number(replies[i * 4 + 3]);
        const entry = this.decode(key, payloadOrFence, replies[i * 4 + 2] as number, version);
        if (!entry) undecodable.push(i);
        claims.push(entry ? { kind, entry } : NOTHING);
        continue;
      }
      const fence = Number(payloadOrFence);
      claims.push(
        kind === 'lease'
          ? { kind, lease: { fence, held: true, token } }
          : { kind: 'busy', lease: { fence, held: false, token: '' } },
      );
    }
    if (undecodable.length === 0) return claims;
    // Undecodable data is a miss: drop it and claim the key as if it had never been there.
    const again = undecodable.map((i) => requests[i].key);
    await Promise.all(again.map((key) => this.client.del(this.keys.value(key))));
    if (retried) return claims;
    const reclaimed = await this.claimMany(
      undecodable.map((i) => requests[i]),
      lockTtl,
      true,
    );
    undecodable.forEach((i, n) => (claims[i] = reclaimed[n]));
    return claims;
  }

  /**
   * Writes unless the key's fence is newer than `lease`'s (a newer holder wrote, or an
   * invalidation came since), indexes the entry, and releases the lease's lock. `now`: the write
   * is fenced as of the server's clock instead. Returns whether the value was written.
   */
  async writeFenced(key: string, entry: CacheEntry, lease: Lease, now = false): Promise<boolean> {
    let write: PreparedWrite | undefined;
    try {
      write = this.prepare(key, entry, lease, now);
    } finally {
      // Nothing will be written: the processes waiting for this lease must not wait it out.
      if (!write) await this.release(key, lease);
    }
    return write ? (await this.writeMany([write]))[0] : false;
  }

  /**
   * What `writeMany` sends for `entry`: its encoded envelope and expiry; undefined when there is
   * nothing to write (the entry is not fresh). Throws an UnencodableValueError when the value
   * cannot be encoded. Either way the lease's lock is its caller's to release.
   */
  prepare(key: string, entry: CacheEntry, lease: Lease, now = false): PreparedWrite | undefined {
    // Redis keeps an entry while it is fresh; its grace travels with it, for the stale windows of
    // the in-process tier it fills (an entry read from Redis is always fresh).
    const graceMs = Number.isFinite(entry.freshFor)
      ? Math.max(0, entry.keptFor - entry.freshFor)
      : 0;
    const payload = encodeEntry({
      value: entry.value,
      graceMs,
      operation: entry.operation,
      tenant: entry.tenant,
      tags: entry.tags,
      loadMs: entry.delta,
    });
    if (!(entry.freshFor > 0)) return undefined;
    const px = Number.isFinite(entry.freshFor) ? Math.max(1, Math.ceil(entry.freshFor)) : 0;
    return { key, entry, payload, px, fence: now ? '' : String(lease.fence), token: lease.token };
  }

  /**
   * Writes prepared entries (see `writeFenced`): indexes them, then writes them. Returns, per
   * entry, whether it was written. On a single server, one round trip: the index scripts and the
   * write go out together on the one connection, which Redis runs in the order sent.
   */
  async writeMany(writes: readonly PreparedWrite[]): Promise<boolean[]> {
    // Indexed before they are written: an invalidation that finds a key in an index set but not
    // yet its value still fences it, and the write is then refused; the other order would leave
    // a written entry that the invalidation cannot find. A Cluster's index sets live on other
    // nodes than the entries: there the write waits for the index.
    const indexed = this.index(writes);
    if (this.client.nodes) await indexed;
    const written = this.perServer(writes.length, (from, to) => {
      const keys: string[] = [];
      const args: (string | number)[] = [];
      for (let i = from; i < to; i++) {
        const { key, payload, px, fence, token } = writes[i];
        keys.push(this.keys.value(key), this.keys.fence(key), this.keys.lock(key));
        args.push(payload, px, fence, token);
      }
      return WRITE.run(this.client, keys, args);
    });
    const [replies] = await Promise.all([written, indexed]);
    return replies.map((ok) => ok === 1);
  }

  /**
   * One call of the shared rate limit `limiter`'s `budget`: 0 when admitted, else the ms until a
   * call would be (see ADMIT).
   */
  async admit(limiter: string, budget: string, window: SharedWindow): Promise<number> {
    const { limit, intervalMs, burst } = window;
    const reply = await ADMIT.run(
      this.client,
      [this.keys.rateLimit(limiter, budget)],
      [limit, intervalMs, burst, (intervalMs * burst) / limit],
    );
    return Number(reply);
  }

  /** Claims (or extends) the half-open trial of a shared breaker for `token`, for `ttl` ms. */
  async claimTrial(breaker: string, token: string, ttl: number): Promise<boolean> {
    const key = this.keys.breakerTrial(breaker);
    return (await CLAIM_TRIAL.run(this.client, [key], [token, Math.max(1, Math.ceil(ttl))])) === 1;
  }

  /** How long the claim on a shared breaker's trial has left, in ms (0: none is held). */
  async trialLeft(breaker: string): Promise<number> {
    return Number(await TRIAL_LEFT.run(this.client, [this.keys.breakerTrial(breaker)], []));
  }

  /** Gives a shared breaker's trial up, if `token` holds it. */
  async releaseTrial(breaker: string, token: string): Promise<void> {
    await RELEASE.run(this.client, [this.keys.breakerTrial(breaker)], [token]);
  }

  /** Extends the lock of `lease` by `ttl` ms; false if it no longer holds it. */
  async renew(key: string, lease: Lease, ttl: number): Promise<boolean> {
    return (await RENEW.run(this.client, [this.keys.lock(key)], [lease.token, ttl])) === 1;
  }

  /** Gives the lock of `lease` up, if it still holds it. */
  async release(key: string, lease: Lease): Promise<void> {
    if (lease.held) await RELEASE.run(this.client, [this.keys.lock(key)], [lease.token]);
  }

  async invalidate(what: Invalidation): Promise<number> {
    switch (what.kind) {
      case 'key':
        return this.drop([what.key]);
      case 'all':
        return this.clearNamespace();
      case 'tags': {
        let dropped = 0;
        for (const tag of what.tags) dropped += await this.dropIndexed('tag', tag);
        return dropped;
      }
      default:
        return this.dropIndexed(what.kind, what.kind === 'tenant' ? what.id : what.name);
    }
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** `version`: the fence its writer left (0 or NaN: unknown). */
  private decode(key: string, payload: string, pttl: number, version = 0): CacheEntry | undefined {
    const decoded = decodeEntry(payload);
    if (!decoded.ok) {
      this.onUndecodable(key, decoded.reason);
      return undefined;
    }
    const { value, graceMs, operation, tenant, tags, loadMs } = decoded.envelope;
    // PTTL -1: no expiry; -2: the key expired between GET and PTTL (read as just expired).
    const freshFor = pttl === -1 ? Infinity : Math.max(0, pttl);
    const keptFor = freshFor + graceMs;
    // The in-process tier keeps the version of a timed entry only (see MemoryStore.put).
    const known = version > 0 ? version : undefined;
    return { value, freshFor, keptFor, operation, tenant, tags, delta: loadMs, version: known };
  }

  /** Adds each entry to its operation's, tenant's and tags' sets: one command per set. */
  private async index(writes: readonly PreparedWrite[]): Promise<void> {
    const sets = new Map<string, (string | number)[]>();
    const add = (set: string, key: string, px: number): void => {
      let members = sets.get(set);
      if (!members) sets.set(set, (members = []));
      members.push(key, px);
    };
    for (const { key, entry, px } of writes) {
      if (entry.operation) add(this.keys.index('operation', entry.operation), key, px);
      if (entry.tenant) add(this.keys.index('tenant', entry.tenant), key, px);
      for (const tag of entry.tags) add(this.keys.index('tag', tag), key, px);
    }
    await Promise.all([...sets].map(([set, members]) => INDEX.run(this.client, [set], members)));
  }

  /**
   * The replies of `run(from, to)` over items [0, count), concatenated: one command on a single
   * server, one command per item on a Cluster, where a script may only touch one slot's keys.
   */
  private async perServer(
    count: number,
    run: (from: number, to: number) => Promise<unknown>,
  ): Promise<unknown[]> {
    if (!this.client.nodes) return (await run(0, count)) as unknown[];
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) => run(i, i + 1) as Promise<unknown[]>),
    );
    return replies.flat();
  }

  private async drop(keys: readonly string[]): Promise<number> {
    const dropped = await Promise.all(
      keys.map((key) =>
        DROP.run(this.client, [this.keys.value(key), this.keys.fence(key)], [TOMBSTONE_MS]),
      ),
    );
    return dropped.filter((n) => n === 1).length;
  }

  private async dropIndexed(kind: 'operation' | 'tenant' | 'tag', name: string): Promise<number> {
    const set = this.keys.index(kind, name);
    const members = (await TAKE_INDEX.run(this.client, [set], [])) as string[];
    const field = ENVELOPE_FIELD[kind];
    const dropped = await Promise.all(
      members.map((key) =>
        DROP_LABELLED.run(
          this.client,
          [this.keys.value(key), this.keys.fence(key)],
          [TOMBSTONE_MS, field, name],
        ),
      ),
    );
    return dropped.filter((n) => n === 1).length;
  }

  /** Deletes every cache key of the namespace (not the shared policies'), on every master. */
  private async clearNamespace(): Promise<number> {
    // A client without `nodes` is a single-node client, which is then its one node.
    const nodes = this.client.nodes
      ? this.client.nodes('master')
      : [this.client as unknown as RedisNodeLike];
    let dropped = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', this.keys.pattern, 'COUNT', 1000);
        cursor = next;
        for (let i = 0; i < found.length; i += SCAN_BATCH) {
          const batch = found.slice(i, i + SCAN_BATCH).filter((k) => !this.keys.isPolicyState(k));
          dropped += batch.filter((k) => this.keys.isValue(k)).length;
          // One key per DEL: a Cluster refuses a multi-key command across slots.
          await Promise.all(batch.map((k) => node.del(k)));
        }
      } while (cursor !== '0');
    }
    return dropped;
  }
}
