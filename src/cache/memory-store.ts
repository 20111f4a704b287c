import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock';

/** Returned by `get` for a key that is absent or expired (a cached `undefined` is a value). */
export const MISS: unique symbol = Symbol('execution-utils.miss');

// lru-cache cannot hold `undefined`; this stands in for it inside the store only.
const UNDEFINED = Symbol('execution-utils.undefined');

/**
 * The in-process LRU + TTL tier. Expired entries are dropped when read or pushed out by the LRU
 * bound, so the store never grows past `max` and sets no timer of its own.
 */
export class MemoryStore {
  private readonly lru: LRUCache<string, object>;
  /** Bumped by `clear()`, so a load that started before it can tell not to write back. */
  epoch = 0;

  constructor(
    readonly max: number,
    private readonly defaultTtl: number,
    clock: Clock,
    onEvict: () => void,
  ) {
    this.lru = new LRUCache<string, object>({
      max,
      ttl: defaultTtl,
      // Reading the system clock costs ~50 ns, more than the lookup itself: on it, lru-cache may
      // reuse a reading for 1 ms (behind an unref()ed timer, so entries can outlive their TTL by
      // up to 1 ms). An injected clock is read every time, so that moving it takes effect at once.
      ttlResolution: clock === systemClock ? 1 : 0,
      perf: clock,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') onEvict();
      },
    });
  }

  /** The value under `key`, or `MISS`. Refreshes the entry's LRU position. */
  get(key: string): unknown {
    const stored = this.lru.get(key) as unknown;
    if (stored === undefined) return MISS;
    return stored === UNDEFINED ? undefined : stored;
  }

  /** Whether `key` holds a live entry, without touching its LRU position. */
  has(key: string): boolean {
    return this.lru.has(key);
  }

  /** Stores `value` for `ttl` ms (default: the store's TTL; 0 = never expires). */
  set(key: string, value: unknown, ttl: number = this.defaultTtl): void {
    // A built key is a rope of every piece concatenated into it (~2.5x the memory of its text);
    // reading a character makes V8 flatten it, so the entry keeps only the text.
    key.charCodeAt(0);
    this.lru.set(key, (value === undefined ? UNDEFINED : value) as object, { ttl });
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
    let bytes = 0;
    for (const [key, value] of this.lru.entries()) {
      bytes += ENTRY_OVERHEAD_BYTES + 2 * key.length + estimateValueBytes(value, 0);
    }
    return bytes;
  }
}

// lru-cache's own arrays and map slot per entry, measured at ~53 B on Node 20.
const ENTRY_OVERHEAD_BYTES = 56;
const MAX_ESTIMATE_DEPTH = 8;

function estimateValueBytes(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length;
    case 'number':
    case 'bigint':
    case 'boolean':
      return 8;
    case 'object': {
      if (value === null || depth >= MAX_ESTIMATE_DEPTH) return 8;
      let bytes = 32;
      for (const v of Array.isArray(value) ? value : Object.values(value)) {
        bytes += 8 + estimateValueBytes(v, depth + 1);
      }
      return bytes;
    }
    default:
      return 8;
  }
}
