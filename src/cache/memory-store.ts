import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';
import { estimateValueBytes } from './estimate-bytes';

/** Returned by `get` for a key that is absent or expired (a cached `undefined` is a value). */
export const MISS: unique symbol = Symbol('execution-utils.miss');

// lru-cache cannot hold `undefined`; this stands in for it inside the store only.
const UNDEFINED = Symbol('execution-utils.undefined');

/**
 * An entry kept past its freshness, for stale-while-revalidate or stale-if-error: `get` treats it
 * as missing once `freshUntil` has passed, `stale` still returns it until the store drops it.
 */
export class StaleEntry {
  /**
   * Recognises an entry without `instanceof`, which would read a cached value's prototype: a
   * Proxy's trap (user code) or a revoked Proxy's TypeError on every lookup. A private-name check
   * never reaches a Proxy's traps.
   */
  static is(stored: unknown): stored is StaleEntry {
    return typeof stored === 'object' && stored !== null && #brand in stored;
  }

  readonly #brand = true;

  constructor(
    private readonly stored: unknown,
    /** Clock time at which the entry stops being fresh. */
    readonly freshUntil: number,
  ) {}

  get value(): unknown {
    return unbox(this.stored);
  }
}

/**
 * The in-process LRU + TTL tier. Expired entries are dropped when read or pushed out by the LRU
 * bound, so the store never grows past `max` and sets no timer of its own.
 */
export class MemoryStore {
  private readonly lru: LRUCache<string, object>;
  /** Bumped by `clear()`, so a load that started before it can tell not to write back. */
  epoch = 0;

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
  ) {
    this.lru = new LRUCache<string, object>({
      max,
      ...(maxBytes === undefined
        ? {}
        : { maxSize: maxBytes, sizeCalculation: (value, key) => entryBytes(key, value) }),
      ttl: defaultTtl,
      // The clock is read on every lookup (~50 ns on the system clock). lru-cache could reuse a
      // reading until a 1 ms timer clears it, but that timer cannot run while the event loop is
      // busy (a GC pause, a long synchronous task), so entries would be served past their TTL for
      // as long as the stall lasts.
      ttlResolution: 0,
      perf: clock,
      dispose: (_value, key, reason) => {
        if (reason === 'evict') onEvict(key);
      },
    });
  }

  /** The fresh value under `key`, or `MISS`. Refreshes the entry's LRU position. */
  get(key: string): unknown {
    const stored = this.lru.get(key) as unknown;
    if (stored === undefined) return MISS;
    if (StaleEntry.is(stored)) {
      return this.clock.now() < stored.freshUntil ? stored.value : MISS;
    }
    return unbox(stored);
  }

  /** The entry under `key` if it is kept for its stale windows (fresh or not), else undefined. */
  stale(key: string): StaleEntry | undefined {
    const stored = this.lru.peek(key) as unknown;
    return StaleEntry.is(stored) ? stored : undefined;
  }

  /** Whether `key` holds a fresh entry, without touching its LRU position. */
  has(key: string): boolean {
    const stored = this.lru.peek(key) as unknown;
    if (StaleEntry.is(stored)) return this.clock.now() < stored.freshUntil;
    return stored !== undefined;
  }

  /**
   * Stores `value` for `ttl` ms (default: the store's TTL; 0 = never expires), then keeps it
   * `grace` ms longer as a stale entry (see {@link stale}).
   */
  set(key: string, value: unknown, ttl: number = this.defaultTtl, grace = 0): void {
    // A built key is a rope of every piece concatenated into it (~2.5x the memory of its text);
    // reading a character makes V8 flatten it, so the entry keeps only the text.
    key.charCodeAt(0);
    const boxed = value === undefined ? UNDEFINED : value;
    const now = this.clock.now();
    // lru-cache keeps an entry while `age <= ttl`; cachetools (and we) expire it AT `ttl`: the
    // entry's age starts a hair early, so at exactly `ttl` ms it is gone.
    const start = now - EXPIRE_AT_TTL_MS;
    if (grace > 0 && ttl > 0) {
      this.lru.set(key, new StaleEntry(boxed, now + ttl), { ttl: ttl + grace, start });
    } else {
      this.lru.set(key, boxed as object, { ttl, start });
    }
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  clear(): void {
    this.epoch++;
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
    for (const [key, value] of this.lru.entries()) bytes += entryBytes(key, value);
    return bytes;
  }
}

/** Far below a clock tick, far above float noise at clock magnitudes (~1e9 ms). */
const EXPIRE_AT_TTL_MS = 1e-4;
// lru-cache's map slot and key/value references per entry, measured at ~53 B on Node 20.
const ENTRY_OVERHEAD_BYTES = 56;
/** What lru-cache allocates per slot of `max` up front (its index arrays), measured on Node 20. */
export const RESERVED_BYTES_PER_SLOT = 40;
/** What one entry is charged: bookkeeping, the key's characters and the value's estimate. */
function entryBytes(key: string, stored: unknown): number {
  const value = StaleEntry.is(stored) ? stored.value : unbox(stored);
  return ENTRY_OVERHEAD_BYTES + 2 * key.length + estimateValueBytes(value);
}

function unbox(stored: unknown): unknown {
  return stored === UNDEFINED ? undefined : stored;
}
