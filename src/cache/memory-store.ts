import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';
import { estimateValueBytes } from './estimate-bytes';
import { LabelGroups, type GroupMember, type LabelGroup } from './label-groups';
import type { CacheEntry, CacheStore, Invalidation } from './store';

/** Returned by `get` for a key that is absent or expired (a cached `undefined` is a value). */
export const MISS: unique symbol = Symbol('execution-utils.miss');

const NO_TAGS: readonly string[] = [];

/**
 * What the in-process tier keeps per key: the value (any value, `undefined` included: lru-cache
 * only sees this wrapper), when it stops being fresh, and its place in its label group. Every
 * field is 8 bytes on every entry of the cache: six, no more.
 */
export class MemoryEntry implements GroupMember {
  prev: MemoryEntry | undefined = undefined;
  next: MemoryEntry | undefined = undefined;

  constructor(
    readonly key: string,
    readonly value: unknown,
    /**
     * For an entry kept past its freshness for stale windows, the clock time at which it stops
     * being fresh. Infinity for every other entry: its TTL in the LRU ends it, and a hit on it
     * reads no clock. (No flag field beside it, and no boxed number on most entries.)
     */
    readonly freshUntil: number,
    /** Its labels (operation, tenant, tags), shared with the entries of the same ones. */
    readonly group: LabelGroup,
  ) {}
}

/**
 * The in-process LRU + TTL tier. Expired entries are dropped when read or pushed out by the LRU
 * bound, so the store never grows past `max` and sets no timer of its own. It answers the store
 * contract synchronously, and `get` is the hit path: one lookup, no allocation. Label groups
 * index the entries by operation, tenant and tag for invalidation.
 */
export class MemoryStore implements CacheStore {
  private readonly lru: LRUCache<string, MemoryEntry>;
  private readonly groups = new LabelGroups();

  /**
   * @param maxBytes bounds the entries' estimated bytes too (key, value and bookkeeping, as
   *   {@link estimateBytes} counts them): the least recently used go first; an entry larger than
   *   the bound is not stored. Undefined: only `max` bounds the store.
   */
  constructor(
    readonly max: number,
    private readonly defaultTtl: number,
    private readonly clock: Clock,
    onEvict: (key: string) => void,
    readonly maxBytes?: number,
    /** Longest any entry is kept, in ms, whatever its own TTL (Infinity: no cap). */
    private readonly maxTtl = Infinity,
  ) {
    this.lru = new LRUCache<string, MemoryEntry>({
      max,
      ...(maxBytes === undefined
        ? {}
        : { maxSize: maxBytes, sizeCalculation: (entry, key) => entryBytes(key, entry) }),
      ttl: defaultTtl,
      // The clock is read on every lookup (~50 ns on the system clock). lru-cache could reuse a
      // reading until a 1 ms timer clears it, but that timer cannot run while the event loop is
      // busy (a GC pause, a long synchronous task), so entries would be served past their TTL for
      // as long as the stall lasts.
      ttlResolution: 0,
      perf: clock,
      dispose: (entry, key, reason) => {
        this.groups.leave(entry);
        if (reason === 'evict') onEvict(key);
      },
    });
  }

  /** The fresh value under `key`, or `MISS`. Refreshes the entry's LRU position. */
  get(key: string): unknown {
    const entry = this.lru.get(key);
    if (entry === undefined) return MISS;
    if (entry.freshUntil !== Infinity && this.clock.now() >= entry.freshUntil) return MISS;
    return entry.value;
  }

  /** The entry under `key` if it is kept for its stale windows (fresh or not), else undefined. */
  stale(key: string): MemoryEntry | undefined {
    const entry = this.lru.peek(key);
    return entry !== undefined && entry.freshUntil !== Infinity ? entry : undefined;
  }

  /** Whether `key` holds a fresh entry, without touching its LRU position. */
  has(key: string): boolean {
    const entry = this.lru.peek(key);
    if (entry === undefined) return false;
    return entry.freshUntil === Infinity || this.clock.now() < entry.freshUntil;
  }

  /**
   * Stores `value` for `ttl` ms (default: the store's TTL; 0 = never expires), then keeps it
   * `grace` ms longer as a stale entry (see {@link stale}), labelled for invalidation (an entry
   * of no operation, as `addToCache` writes, is reached by its key only).
   */
  set(
    key: string,
    value: unknown,
    ttl: number = this.defaultTtl,
    grace = 0,
    operation = '',
    tenant = '',
    tags: readonly string[] = NO_TAGS,
  ): void {
    if (ttl === 0 || ttl > this.maxTtl) ttl = this.maxTtl === Infinity ? 0 : this.maxTtl;
    const stale = grace > 0 && ttl > 0;
    const freshUntil = stale ? this.clock.now() + ttl : Infinity;
    const group = this.groups.groupOf(operation, tenant, tags);
    this.put(new MemoryEntry(key, value, freshUntil, group), stale ? ttl + grace : ttl);
  }

  read(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    const keptFor = this.lru.getRemainingTTL(key);
    return {
      value: entry.value,
      freshFor: entry.freshUntil === Infinity ? keptFor : entry.freshUntil - this.clock.now(),
      keptFor,
      operation: entry.group.operation,
      tenant: entry.group.tenant,
      tags: entry.group.tags,
    };
  }

  write(key: string, entry: CacheEntry): void {
    if (!(entry.keptFor > 0)) return;
    const now = this.clock.now();
    const grace = Number.isFinite(entry.freshFor) ? Math.max(0, entry.keptFor - entry.freshFor) : 0;
    const freshFor = Math.min(entry.freshFor, this.maxTtl);
    const kept = freshFor + grace;
    const freshUntil = grace > 0 ? now + freshFor : Infinity;
    // lru-cache reads a TTL of 0 as "never expires"; it counts whole ms.
    const keptFor = Number.isFinite(kept) ? Math.max(1, Math.ceil(kept)) : 0;
    const group = this.groups.groupOf(entry.operation, entry.tenant, entry.tags);
    this.put(new MemoryEntry(key, entry.value, freshUntil, group), keptFor);
  }

  invalidate(what: Invalidation): number {
    switch (what.kind) {
      case 'key':
        return this.delete(what.key) ? 1 : 0;
      case 'all': {
        const dropped = this.lru.size;
        this.clear();
        return dropped;
      }
      case 'operation':
        return this.drop(this.groups.keysOf('operation', what.name));
      case 'tenant':
        return this.drop(this.groups.keysOf('tenant', what.id));
      case 'tags':
        return what.tags.reduce((n, tag) => n + this.drop(this.groups.keysOf('tag', tag)), 0);
    }
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  /** Drops every entry (each leaves its group as lru-cache disposes of it). */
  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  /** Entries that will expire (TTL not 0). */
  ttlEntries(): number {
    let n = 0;
    for (const key of this.lru.keys()) {
      if (Number.isFinite(this.lru.getRemainingTTL(key))) n++;
    }
    return n;
  }

  /** A rough estimate of the bytes the entries hold: keys, values and per-entry bookkeeping. */
  estimateBytes(): number {
    // With a byte bound, lru-cache keeps the exact sum of what each entry was charged.
    if (this.maxBytes !== undefined) return this.lru.calculatedSize;
    let bytes = 0;
    for (const [key, entry] of this.lru.entries()) bytes += entryBytes(key, entry);
    return bytes;
  }

  /** Stores `entry` for `keptFor` ms (0: until evicted) and puts it in its group. */
  private put(entry: MemoryEntry, keptFor: number): void {
    const { key } = entry;
    // A built key is a rope of every piece concatenated into it (~2.5x the memory of its text);
    // reading a character makes V8 flatten it, so the entry keeps only the text.
    key.charCodeAt(0);
    // lru-cache keeps an entry while `age <= ttl`; cachetools (and we) expire it AT `ttl`: the
    // entry's age starts a hair early, so at exactly `ttl` ms it is gone.
    this.lru.set(key, entry, { ttl: keptFor, start: this.clock.now() - EXPIRE_AT_TTL_MS });
    // After the set: replacing an entry disposes the old one, which leaves its group first. An
    // entry of no operation (addToCache) is reached by its key only: it joins no group.
    if (entry.group.operation && this.lru.peek(key) === entry) this.groups.join(entry);
  }

  private drop(keys: readonly string[]): number {
    let dropped = 0;
    for (const key of keys) if (this.lru.delete(key)) dropped++;
    return dropped;
  }
}

/** Far below a clock tick, far above float noise at clock magnitudes (~1e9 ms). */
const EXPIRE_AT_TTL_MS = 1e-4;
// lru-cache's map slot and references (~53 B) plus the entry wrapper (~56 B), on Node 20.
const ENTRY_OVERHEAD_BYTES = 112;
/** What lru-cache allocates per slot of `max` up front (its index arrays), measured on Node 20. */
export const RESERVED_BYTES_PER_SLOT = 40;
/** What one entry is charged: bookkeeping, the key's characters and the value's estimate. */
function entryBytes(key: string, entry: MemoryEntry): number {
  return ENTRY_OVERHEAD_BYTES + 2 * key.length + estimateValueBytes(entry.value);
}
