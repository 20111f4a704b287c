import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';
import { estimateValueBytes } from './estimate-bytes';
import { EntryIndex, type IndexedEntry } from './entry-index';
import type { CacheEntry, CacheStore, Invalidation } from './store';

/** Returned by `get` for a key that is absent or expired (a cached `undefined` is a value). */
export const MISS: unique symbol = Symbol('execution-utils.miss');

const NO_TAGS: readonly string[] = [];

/**
 * What the in-process tier keeps per key: the value (any value, `undefined` included: lru-cache
 * only sees this wrapper), when it stops being fresh, and the labels and list links invalidation
 * finds it by.
 */
export class MemoryEntry implements IndexedEntry {
  operationPrev: MemoryEntry | undefined = undefined;
  operationNext: MemoryEntry | undefined = undefined;
  tenantPrev: MemoryEntry | undefined = undefined;
  tenantNext: MemoryEntry | undefined = undefined;

  constructor(
    readonly key: string,
    readonly value: unknown,
    /** Clock time at which the entry stops being fresh (Infinity: never). */
    readonly freshUntil: number,
    /** Whether the entry is kept past `freshUntil` for stale windows. */
    readonly grace: boolean,
    readonly operation: string,
    readonly tenant: string,
    readonly tags: readonly string[],
  ) {}
}

/**
 * The in-process LRU + TTL tier. Expired entries are dropped when read or pushed out by the LRU
 * bound, so the store never grows past `max` and sets no timer of its own. It answers the store
 * contract synchronously, and `get` is the hit path: one lookup, no allocation.
 */
export class MemoryStore implements CacheStore {
  private readonly lru: LRUCache<string, MemoryEntry>;
  private readonly index = new EntryIndex();

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
        this.index.remove(entry);
        if (reason === 'evict') onEvict(key);
      },
    });
  }

  /** The fresh value under `key`, or `MISS`. Refreshes the entry's LRU position. */
  get(key: string): unknown {
    const entry = this.lru.get(key);
    if (entry === undefined) return MISS;
    if (entry.grace && this.clock.now() >= entry.freshUntil) return MISS;
    return entry.value;
  }

  /** The entry under `key` if it is kept for its stale windows (fresh or not), else undefined. */
  stale(key: string): MemoryEntry | undefined {
    const entry = this.lru.peek(key);
    return entry?.grace ? entry : undefined;
  }

  /** Whether `key` holds a fresh entry, without touching its LRU position. */
  has(key: string): boolean {
    const entry = this.lru.peek(key);
    if (entry === undefined) return false;
    return !entry.grace || this.clock.now() < entry.freshUntil;
  }

  /**
   * Stores `value` for `ttl` ms (default: the store's TTL; 0 = never expires), then keeps it
   * `grace` ms longer as a stale entry (see {@link stale}), labelled for invalidation (an entry
   * with no operation, as `addToCache` writes, is reached by its key only).
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
    const now = this.clock.now();
    const stale = grace > 0 && ttl > 0;
    const freshUntil = ttl > 0 ? now + ttl : Infinity;
    const entry = new MemoryEntry(key, value, freshUntil, stale, operation, tenant, tags);
    this.put(entry, stale ? ttl + grace : ttl);
  }

  read(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    const now = this.clock.now();
    const keptFor = this.lru.getRemainingTTL(key);
    return {
      value: entry.value,
      freshFor: entry.freshUntil - now,
      keptFor: Math.max(keptFor, entry.freshUntil - now),
      operation: entry.operation,
      tenant: entry.tenant,
      tags: entry.tags,
    };
  }

  write(key: string, entry: CacheEntry): void {
    if (!(entry.keptFor > 0)) return;
    const now = this.clock.now();
    const grace = Number.isFinite(entry.freshFor) ? Math.max(0, entry.keptFor - entry.freshFor) : 0;
    const freshFor = Math.min(entry.freshFor, this.maxTtl);
    const kept = freshFor + grace;
    const stale = grace > 0;
    // lru-cache reads a TTL of 0 as "never expires"; it counts whole ms.
    const keptFor = Number.isFinite(kept) ? Math.max(1, Math.ceil(kept)) : 0;
    const { operation, tenant, tags } = entry;
    this.put(
      new MemoryEntry(key, entry.value, now + freshFor, stale, operation, tenant, tags),
      keptFor,
    );
  }

  invalidate(what: Invalidation): number {
    switch (what.kind) {
      case 'key':
        return this.lru.delete(what.key) ? 1 : 0;
      case 'all': {
        const dropped = this.lru.size;
        this.clear();
        return dropped;
      }
      case 'tags':
        return what.tags.reduce((n, tag) => n + this.drop(this.index.keysOf('tag', tag)), 0);
      default:
        return this.drop(
          this.index.keysOf(what.kind, what.kind === 'tenant' ? what.id : what.name),
        );
    }
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  clear(): void {
    this.index.clear();
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

  /** Stores `entry` for `keptFor` ms (0: until evicted) and indexes it. */
  private put(entry: MemoryEntry, keptFor: number): void {
    const { key } = entry;
    // A built key is a rope of every piece concatenated into it (~2.5x the memory of its text);
    // reading a character makes V8 flatten it, so the entry keeps only the text.
    key.charCodeAt(0);
    // lru-cache keeps an entry while `age <= ttl`; cachetools (and we) expire it AT `ttl`: the
    // entry's age starts a hair early, so at exactly `ttl` ms it is gone.
    this.lru.set(key, entry, { ttl: keptFor, start: this.clock.now() - EXPIRE_AT_TTL_MS });
    // After the set: replacing an entry disposes the old one, which takes its key out of the index.
    if (this.lru.peek(key) === entry) this.index.add(entry);
  }

  private drop(keys: readonly string[]): number {
    let dropped = 0;
    for (const key of keys) if (this.lru.delete(key)) dropped++;
    return dropped;
  }
}

/** Far below a clock tick, far above float noise at clock magnitudes (~1e9 ms). */
const EXPIRE_AT_TTL_MS = 1e-4;
// lru-cache's map slot and references (~53 B) plus the entry wrapper and its links (~52 B).
const ENTRY_OVERHEAD_BYTES = 104;
/** What lru-cache allocates per slot of `max` up front (its index arrays), measured on Node 20. */
export const RESERVED_BYTES_PER_SLOT = 40;
/** What one entry is charged: bookkeeping, the key's characters and the value's estimate. */
function entryBytes(key: string, entry: MemoryEntry): number {
  return ENTRY_OVERHEAD_BYTES + 2 * key.length + estimateValueBytes(entry.value);
}
