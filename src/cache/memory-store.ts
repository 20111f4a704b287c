import type { Clock } from '../clock';
import { estimateValueBytes } from './estimate-bytes';
import { LabelGroups } from './label-groups';
import { FrequencySketch } from './frequency-sketch';
import { LruSlots } from './lru-slots';
import {
  MISS,
  type CacheEntry,
  type EntryLabels,
  type Invalidation,
  type LocalStore,
  type StaleEntry,
} from './store';

const UNLABELLED: EntryLabels = { operation: '', tenant: '', tags: [] };

/**
 * The in-process LRU + TTL tier. Each entry lives in a numbered slot (see {@link LruSlots}): its
 * value in an array, its two times (fresh until, kept until) in `Float64Array`s, its labels in
 * the label groups. No object is made per entry, a hit reads the clock once (only for an entry
 * that expires) and allocates nothing, and expiry is exact: an entry is gone AT its TTL, however
 * busy the event loop is. Expired entries are dropped when read or pushed out by the LRU bound,
 * so the store never grows past `max` and sets no timer. It answers the store contract
 * synchronously; label groups index the entries by operation, tenant and tag for invalidation.
 */
export class MemoryStore implements LocalStore {
  private readonly slots: LruSlots;
  private readonly groups: LabelGroups;
  private readonly values: unknown[] = [];
  /** When each slot stops being fresh; Infinity for one that never expires. */
  private readonly freshUntil: Float64Array;
  /** When each slot is dropped (fresh until, plus its stale windows); Infinity: never. */
  private readonly keptUntil: Float64Array;
  /** What each slot is charged against `maxBytes` (allocated only with a byte bound). */
  private readonly charges: Float64Array | undefined;
  /** Each entry's measured load time (`refreshAhead`), allocated when the first one is written. */
  private deltas: Float64Array | undefined;
  /**
   * The shared tier's version of each timed entry (see `CacheEntry.version`), allocated when the
   * first one is written.
   */
  private versions: Float64Array | undefined;
  /** Each slot's key hash, for the admission sketch (allocated only with one). */
  private readonly hashes: Int32Array | undefined;
  /** The last key a lookup missed, and its hash: the write that usually follows reuses it. */
  private lastMissKey: string | undefined;
  private lastMissHash = 0;
  private charged = 0;

  /**
   * @param maxBytes bounds the entries' estimated bytes too (key, value and bookkeeping, as
   *   {@link estimateBytes} counts them): the least recently used go first; an entry larger than
   *   the bound is not stored. Undefined: only `max` bounds the store.
   */
  constructor(
    readonly max: number,
    private readonly defaultTtl: number,
    private readonly clock: Clock,
    private readonly onEvict: (key: string) => void,
    readonly maxBytes?: number,
    /** Longest any entry is kept, in ms, whatever its own TTL (Infinity: no cap). */
    private readonly maxTtl = Infinity,
    /**
     * TinyLFU admission: every lookup is counted in this sketch, and a new key may take the
     * least recently used entry's place only if it was asked for more often than that entry.
     * Undefined: plain LRU (every new key is stored).
     */
    private readonly admission?: FrequencySketch,
  ) {
    this.slots = new LruSlots(max);
    this.groups = new LabelGroups(max);
    this.freshUntil = new Float64Array(max);
    this.keptUntil = new Float64Array(max);
    this.charges = maxBytes === undefined ? undefined : new Float64Array(max);
    this.hashes = admission === undefined ? undefined : new Int32Array(max);
  }

  /** The fresh value under `key`, or `MISS`. Refreshes the entry's LRU position. */
  get(key: string): unknown {
    const slot = this.slots.find(key);
    if (slot === undefined) {
      if (this.admission !== undefined) this.countMiss(key);
      return MISS;
    }
    if (this.admission !== undefined) this.admission.increment(this.hashes![slot]);
    const keptUntil = this.keptUntil[slot];
    if (keptUntil !== Infinity) {
      const now = this.clock.now();
      if (now >= keptUntil) {
        this.drop(slot);
        return MISS;
      }
      if (now >= this.freshUntil[slot]) return MISS;
    }
    this.slots.touch(slot);
    return this.values[slot];
  }

  /** The bytes the admission sketch and the slots' key hashes hold (0 without admission). */
  get admissionBytes(): number {
    return this.admission === undefined ? 0 : this.admission.bytes + this.hashes!.byteLength;
  }

  /** The entry under `key` if it is kept for its stale windows (fresh or not), else undefined. */
  stale(key: string): StaleEntry | undefined {
    const slot = this.live(key);
    if (slot === undefined || this.freshUntil[slot] === this.keptUntil[slot]) return undefined;
    return { value: this.values[slot], freshUntil: this.freshUntil[slot] };
  }

  refreshDue(key: string, beta: number, random: number): boolean {
    if (this.deltas === undefined) return false;
    const slot = this.slots.find(key);
    if (slot === undefined) return false;
    const delta = this.deltas[slot];
    const expiry = this.freshUntil[slot];
    if (!(delta > 0) || expiry === Infinity) return false;
    return this.clock.now() - delta * beta * Math.log(random) >= expiry;
  }

  /** Bytes reserved up front for `max` slots (more once an entry with a load time is written). */
  get reservedBytes(): number {
    const timed = (this.deltas === undefined ? 0 : 8) + (this.versions === undefined ? 0 : 8);
    return this.max * (RESERVED_BYTES_PER_SLOT + timed);
  }

  /** Whether `key` holds a fresh entry, without touching its LRU position. */
  has(key: string): boolean {
    const slot = this.slots.find(key);
    if (slot === undefined) return false;
    const freshUntil = this.freshUntil[slot];
    return freshUntil === Infinity || this.clock.now() < freshUntil;
  }

  /**
   * Stores `value` for `ttl` ms (default: the store's TTL; 0 = never expires), reached by its key
   * only (as `addToCache` writes: no operation, no tags).
   */
  set(key: string, value: unknown, ttl: number = this.defaultTtl): void {
    const freshFor = ttl === 0 ? Infinity : ttl;
    // A literal, not a spread of UNLABELLED: V8 copies a spread through a slow path here (~3 µs).
    const { operation, tenant, tags } = UNLABELLED;
    this.write(key, { value, freshFor, keptFor: freshFor, operation, tenant, tags });
  }

  read(key: string): CacheEntry | undefined {
    const slot = this.live(key);
    if (slot === undefined) return undefined;
    this.slots.touch(slot);
    const now = this.clock.now();
    const { operation, tenant, tags } = this.groups.labelsOf(slot) ?? UNLABELLED;
    const entry: { -readonly [K in keyof CacheEntry]: CacheEntry[K] } = {
      value: this.values[slot],
      freshFor: this.freshUntil[slot] - now,
      keptFor: this.keptUntil[slot] - now,
      operation,
      tenant,
      tags,
    };
    const version = this.versions?.[slot];
    if (version) entry.version = version;
    return entry;
  }

  /**
   * Stores `entry` for its `keptFor` ms, fresh for its `freshFor` (capped by `maxTtl`; the stale
   * windows in between are kept), labelled for invalidation (an entry of no operation is reached
   * by its key only).
   */
  write(key: string, entry: CacheEntry): void {
    if (!(entry.keptFor > 0)) return;
    const grace = Number.isFinite(entry.freshFor) ? Math.max(0, entry.keptFor - entry.freshFor) : 0;
    const freshFor = Math.min(entry.freshFor, this.maxTtl);
    const now = this.clock.now();
    this.put(key, entry.value, now + freshFor, now + freshFor + grace, entry);
  }

  invalidate(what: Invalidation): number {
    switch (what.kind) {
      case 'key':
        return this.delete(what.key) ? 1 : 0;
      case 'all': {
        const dropped = this.size;
        this.clear();
        return dropped;
      }
      case 'operation':
        return this.dropAll(this.groups.slotsOf('operation', what.name));
      case 'tenant':
        return this.dropAll(this.groups.slotsOf('tenant', what.id));
      case 'tags':
        return what.tags.reduce((n, tag) => n + this.dropAll(this.groups.slotsOf('tag', tag)), 0);
    }
  }

  delete(key: string): boolean {
    const slot = this.slots.find(key);
    if (slot === undefined) return false;
    this.drop(slot);
    return true;
  }

  /** Drops every entry. */
  clear(): void {
    this.slots.clear();
    this.groups.clear();
    this.values.length = 0;
    this.charged = 0;
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.slots.size;
  }

  /** Entries that will expire (TTL not 0). */
  ttlEntries(): number {
    return this.slots.slots().filter((slot) => this.keptUntil[slot] !== Infinity).length;
  }

  /** A rough estimate of the bytes the entries hold: keys, values and per-entry bookkeeping. */
  estimateBytes(): number {
    // With a byte bound, the exact sum of what each entry was charged is kept.
    if (this.maxBytes !== undefined) return this.charged;
    let bytes = 0;
    for (const slot of this.slots.slots()) {
      bytes += entryBytes(this.slots.keys[slot]!, this.values[slot]);
    }
    return bytes;
  }

  /**
   * {@link estimateBytes} in bounded time, for a metrics scrape: without a byte bound, the
   * entries of at most `sample` slots spread evenly over the store, scaled to its size. Walking
   * every entry blocks the event loop for ~0.1 s per 100,000 entries (measured here), on every
   * scrape; this reads `sample` entries whatever the size.
   */
  sampledBytes(sample = BYTES_SAMPLE): number {
    if (this.maxBytes !== undefined || this.slots.size <= sample) return this.estimateBytes();
    // Slots below keys.length were handed out; the freed ones among them hold no key.
    const { keys } = this.slots;
    const step = keys.length / sample;
    let bytes = 0;
    let read = 0;
    for (let i = 0; i < sample; i++) {
      const slot = Math.floor(i * step);
      const key = keys[slot];
      if (key === undefined) continue;
      bytes += entryBytes(key, this.values[slot]);
      read++;
    }
    // Every sampled slot was a freed one: the live entries are few and elsewhere, walk them.
    return read === 0 ? this.estimateBytes() : Math.round((bytes / read) * this.slots.size);
  }

  /** The slot of `key` while it is kept (fresh or in its stale windows), without touching it. */
  private live(key: string): number | undefined {
    const slot = this.slots.find(key);
    if (slot === undefined) return undefined;
    const keptUntil = this.keptUntil[slot];
    return keptUntil === Infinity || this.clock.now() < keptUntil ? slot : undefined;
  }

  private put(
    key: string,
    value: unknown,
    freshUntil: number,
    keptUntil: number,
    labels: EntryLabels & { readonly delta?: number; readonly version?: number },
  ): void {
    // A built key is a rope of every piece concatenated into it (~2.5x the memory of its text);
    // reading a character makes V8 flatten it, so the store keeps only the text.
    key.charCodeAt(0);
    const charge = this.charges === undefined ? 0 : entryBytes(key, value);
    if (this.maxBytes !== undefined && charge > this.maxBytes) {
      this.delete(key);
      return;
    }
    let slot = this.slots.find(key);
    if (slot === undefined) {
      const hash = this.admission === undefined ? 0 : this.hashOf(key);
      if (this.admission !== undefined && this.slots.full && !this.admits(hash)) return;
      slot = this.slots.claim(key, this.evict);
      if (this.hashes !== undefined) this.hashes[slot] = hash;
    } else {
      this.slots.touch(slot);
      this.groups.leave(slot);
      if (this.charges !== undefined) this.charged -= this.charges[slot];
    }
    this.values[slot] = value;
    this.freshUntil[slot] = freshUntil;
    this.keptUntil[slot] = keptUntil;
    const delta = labels.delta ?? 0;
    if (delta > 0) this.deltas ??= new Float64Array(this.max);
    if (this.deltas !== undefined) this.deltas[slot] = delta;
    // Only an early refresh asks for the version: kept for timed entries alone.
    const version = delta > 0 ? (labels.version ?? 0) : 0;
    if (version > 0) this.versions ??= new Float64Array(this.max);
    if (this.versions !== undefined) this.versions[slot] = version;
    // An entry of no operation (addToCache) is reached by its key only: it joins no group.
    if (labels.operation) {
      this.groups.join(slot, this.groups.groupOf(labels.operation, labels.tenant, labels.tags));
    }
    if (this.charges === undefined) return;
    this.charges[slot] = charge;
    this.charged += charge;
    // The new entry is the most recent and fits the bound alone: the loop stops before it.
    while (this.charged > this.maxBytes!) this.evict(this.slots.leastRecent);
  }

  private countMiss(key: string): void {
    const hash = FrequencySketch.hash(key);
    this.lastMissKey = key;
    this.lastMissHash = hash;
    this.admission!.increment(hash);
  }

  private hashOf(key: string): number {
    return key === this.lastMissKey ? this.lastMissHash : FrequencySketch.hash(key);
  }

  /** Whether a new key hashed `hash` was asked for more often than the entry it would push out. */
  private admits(hash: number): boolean {
    const sketch = this.admission!;
    return sketch.estimate(hash) > sketch.estimate(this.hashes![this.slots.leastRecent]);
  }

  /** Pushes the entry in `slot` out for room, and says so. */
  private readonly evict = (slot: number): void => {
    const key = this.slots.keys[slot]!;
    this.drop(slot);
    this.onEvict(key);
  };

  private drop(slot: number): void {
    this.groups.leave(slot);
    this.values[slot] = undefined;
    if (this.charges !== undefined) this.charged -= this.charges[slot];
    this.slots.release(slot);
  }

  private dropAll(slots: readonly number[]): number {
    for (const slot of slots) this.drop(slot);
    return slots.length;
  }
}

// Per entry, measured on Node 20 (bench G): ~58 B of heap (the key's map entry, the slot's
// array cells) plus the 32 B reserved per slot; 112 B also covers the map's spare capacity as it
// grows, so a `cacheMaxBytes` bound is not exceeded.
const ENTRY_OVERHEAD_BYTES = 112;
/**
 * What the store allocates per slot of `max` up front: the LRU links, the group links and the
 * two times (4 + 4 + 4 + 4 + 8 + 8 B).
 */
export const RESERVED_BYTES_PER_SLOT = 32;
/** Entries a scrape's memory estimate reads, at most (see `sampledBytes`). */
export const BYTES_SAMPLE = 1_024;

/** What one entry is charged: bookkeeping, the key's characters and the value's estimate. */
function entryBytes(key: string, value: unknown): number {
  return ENTRY_OVERHEAD_BYTES + 2 * key.length + estimateValueBytes(value);
}
