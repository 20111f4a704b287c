import { randomUUID } from 'node:crypto';
import { decodeEntry, encodeEntry } from '../codec';
import type { CacheEntry, CacheStore, Invalidation } from '../store';
import type { Lease } from '../remote-tier';
import type { RedisClientLike, RedisNodeLike } from './redis-client';
import { RedisKeys } from './redis-keys';
import { CLAIM, DROP, DROP_LABELLED, INDEX, READ, RELEASE, TAKE_INDEX, WRITE } from './scripts';

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
  async claim(key: string, lockTtl: number, retried = false): Promise<RawClaim> {
    const token = randomUUID();
    const keys = [this.keys.value(key), this.keys.lock(key)];
    const [kind, payloadOrFence, pttl] = (await CLAIM.run(this.client, keys, [lockTtl, token])) as [
      string,
      string,
      number?,
    ];
    if (kind === 'entry') {
      const entry = this.decode(key, payloadOrFence, pttl ?? -2);
      if (entry) return { kind: 'entry', entry };
      // Undecodable data is a miss: drop it and claim the key as if it had never been there.
      await this.client.del(keys[0]);
      return retried
        ? { kind: 'busy', lease: { fence: 0, held: false, token: '' } }
        : this.claim(key, lockTtl, true);
    }
    const fence = Number(payloadOrFence);
    return kind === 'lease'
      ? { kind, lease: { fence, held: true, token } }
      : { kind: 'busy', lease: { fence, held: false, token: '' } };
  }

  /**
   * Writes unless the key's fence is newer than `lease`'s (a newer holder wrote, or an
   * invalidation came since), indexes the entry, and releases the lease's lock. `now`: the write
   * is fenced as of the server's clock instead. Returns whether the value was written.
   */
  async writeFenced(key: string, entry: CacheEntry, lease: Lease, now = false): Promise<boolean> {
    // Redis keeps an entry while it is fresh; its grace travels with it, for the stale windows of
    // the in-process tier it fills (an entry read from Redis is always fresh).
    const graceMs = Number.isFinite(entry.freshFor)
      ? Math.max(0, entry.keptFor - entry.freshFor)
      : 0;
    let payload: string;
    try {
      payload = encodeEntry({
        value: entry.value,
        graceMs,
        operation: entry.operation,
        tenant: entry.tenant,
        tags: entry.tags,
      });
    } catch (error) {
      // Nothing will be written: the processes waiting for this lease must not wait it out.
      await this.release(key, lease);
      throw error;
    }
    if (!(entry.freshFor > 0)) {
      await this.release(key, lease);
      return false;
    }
    const px = Number.isFinite(entry.freshFor) ? Math.max(1, Math.ceil(entry.freshFor)) : 0;
    const keys = [this.keys.value(key), this.keys.fence(key), this.keys.lock(key)];
    const fence = now ? '' : String(lease.fence);
    // Indexed before it is written: an invalidation that finds the key in an index set but not
    // yet its value still fences it, and this write is then refused; the other order would leave
    // a written entry that the invalidation cannot find.
    await this.index(key, entry, px);
    return (await WRITE.run(this.client, keys, [payload, px, fence, lease.token])) === 1;
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

  private decode(key: string, payload: string, pttl: number): CacheEntry | undefined {
    const decoded = decodeEntry(payload);
    if (!decoded.ok) {
      this.onUndecodable(key, decoded.reason);
      return undefined;
    }
    const { value, graceMs, operation, tenant, tags } = decoded.envelope;
    // PTTL -1: no expiry; -2: the key expired between GET and PTTL (read as just expired).
    const freshFor = pttl === -1 ? Infinity : Math.max(0, pttl);
    return { value, freshFor, keptFor: freshFor + graceMs, operation, tenant, tags };
  }

  private async index(key: string, entry: CacheEntry, px: number): Promise<void> {
    const sets: string[] = [];
    if (entry.operation) sets.push(this.keys.index('operation', entry.operation));
    if (entry.tenant) sets.push(this.keys.index('tenant', entry.tenant));
    for (const tag of entry.tags) sets.push(this.keys.index('tag', tag));
    await Promise.all(sets.map((set) => INDEX.run(this.client, [set], [key, px])));
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

  /** Deletes every key of the namespace, on every master of a Cluster. */
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
          const batch = found.slice(i, i + SCAN_BATCH);
          dropped += batch.filter((k) => this.keys.isValue(k)).length;
          // One key per DEL: a Cluster refuses a multi-key command across slots.
          await Promise.all(batch.map((k) => node.del(k)));
        }
      } while (cursor !== '0');
    }
    return dropped;
  }
}
