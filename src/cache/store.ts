/**
 * The store seam: what every cache tier keeps per key and the operations every tier answers the
 * same way. The in-process tier answers synchronously (a hit never awaits); the Redis tier answers
 * with promises. Times are relative (milliseconds left), so tiers on different machines' clocks
 * agree on what an entry has left. One contract suite (test/cache/store-contract.ts) runs against
 * every store.
 */

/** What invalidation finds an entry by. */
export interface EntryLabels {
  /** The operation that cached it (the decorated method's name). */
  readonly operation: string;
  /** The tenant (userId) its key was built with; '' for a shared entry. */
  readonly tenant: string;
  /** The tags `@Cached({ tags })` gave it. */
  readonly tags: readonly string[];
}

/** One cached value with what invalidation and the stale windows need to know about it. */
export interface CacheEntry extends EntryLabels {
  readonly value: unknown;
  /** Milliseconds the entry is still fresh for: Infinity = never expires; 0 or less = stale. */
  readonly freshFor: number;
  /**
   * Milliseconds until the tier drops the entry (`>= freshFor`): the stale windows
   * (staleWhileRevalidate / staleIfError) are the time between the two.
   */
  readonly keptFor: number;
  /**
   * How long the load that produced it took, in ms, when it was measured (`refreshAhead`): the
   * scale of its early refresh.
   */
  readonly delta?: number;
  /**
   * The shared tier's version of the entry (its writer's fencing token), when it came from Redis
   * or was written there through a lease: an early refresh tells Redis which entry it replaces.
   */
  readonly version?: number;
}

/** What to drop: one key, every entry of an operation, of a tenant, with any of some tags, or all. */
export type Invalidation =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'operation'; readonly name: string }
  | { readonly kind: 'tenant'; readonly id: string }
  | { readonly kind: 'tags'; readonly tags: readonly string[] }
  | { readonly kind: 'all' };

/** A value now, or later: the in-process tier answers at once, a remote one with a promise. */
export type Answer<T> = T | Promise<T>;

/** One cache tier. */
export interface CacheStore {
  /** The entry under `key` while the tier keeps it (fresh or within its stale windows). */
  read(key: string): Answer<CacheEntry | undefined>;
  /** Stores `entry` under `key` for `entry.keptFor` ms (Infinity = until evicted). */
  write(key: string, entry: CacheEntry): Answer<void>;
  /** Drops what `what` names; answers how many entries this tier dropped. */
  invalidate(what: Invalidation): Answer<number>;
}

/** Returned by `LocalStore.get` for a key absent or expired (a cached `undefined` is a value). */
export const MISS: unique symbol = Symbol('execution-utils.miss');

/** An entry kept past its freshness for the stale windows, as `LocalStore.stale` finds it. */
export interface StaleEntry {
  readonly value: unknown;
  /** The clock time at which it stopped (or will stop) being fresh. */
  readonly freshUntil: number;
}

/**
 * The in-process tier as the cache stage uses it: the contract answered synchronously, plus the
 * hit path (`get`: one lookup, no allocation, no promise) and the stale windows' lookup.
 */
export interface LocalStore extends CacheStore {
  /** The fresh value under `key`, or `MISS`. */
  get(key: string): unknown;
  /** The entry under `key` while it is kept for its stale windows (fresh or not). */
  stale(key: string): StaleEntry | undefined;
  /** Whether `key` holds a fresh entry, without touching its LRU position. */
  has(key: string): boolean;
  /**
   * Whether a hit on `key` should refresh it early (XFetch): true when the entry has a measured
   * load time `delta` and `now - delta * beta * ln(random) >= its expiry`.
   */
  refreshDue(key: string, beta: number, random: number): boolean;
  read(key: string): CacheEntry | undefined;
  write(key: string, entry: CacheEntry): void;
  invalidate(what: Invalidation): number;
}
