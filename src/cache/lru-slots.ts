/** "No slot": the end of a list, or a key that has none. */
export const NO_SLOT = -1;

/**
 * Keys mapped to numbered slots (0 to `max - 1`) kept in least-recently-used order. The store
 * keeps each entry's value, times and labels in arrays indexed by its slot, so an entry costs a
 * few array cells instead of an object of its own, and a lookup is one `Map` read plus a few
 * integer writes: no allocation, no per-entry TTL machinery (the store checks the times).
 *
 * The order is a doubly linked list through two preallocated `Int32Array`s (8 B per slot of
 * `max`, reserved up front as lru-cache reserves its own); slots freed by a delete are reused
 * first.
 */
export class LruSlots {
  private readonly slotOf = new Map<string, number>();
  /** The key of each slot in use; undefined for a free one. */
  readonly keys: (string | undefined)[] = [];
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  private newest = NO_SLOT;
  private oldest = NO_SLOT;
  /** Slots below this were handed out at least once. */
  private used = 0;
  private readonly freed: number[] = [];

  constructor(readonly max: number) {
    this.newer = new Int32Array(max);
    this.older = new Int32Array(max);
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** The slot holding `key`, or undefined. Leaves the order alone. */
  find(key: string): number | undefined {
    return this.slotOf.get(key);
  }

  /** Marks `slot` the most recently used. */
  touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.append(slot);
  }

  /**
   * A slot for `key`, which has none: a free one, or, when every slot is taken, the least
   * recently used one's, after `evict` was told of it (it must {@link release} it).
   */
  claim(key: string, evict: (slot: number) => void): number {
    if (this.freed.length === 0 && this.used === this.max) evict(this.oldest);
    const slot = this.freed.length > 0 ? this.freed.pop()! : this.used++;
    this.slotOf.set(key, slot);
    this.keys[slot] = key;
    this.append(slot);
    return slot;
  }

  /** Frees `slot` and forgets its key. */
  release(slot: number): void {
    this.slotOf.delete(this.keys[slot]!);
    this.keys[slot] = undefined;
    this.unlink(slot);
    this.freed.push(slot);
  }

  /** Whether a new key would take the least recently used one's slot (none is free). */
  get full(): boolean {
    return this.freed.length === 0 && this.used === this.max;
  }

  /** The least recently used slot, or `NO_SLOT` when empty. */
  get leastRecent(): number {
    return this.oldest;
  }

  /** Every slot in use (a copy: the caller may release them). */
  slots(): number[] {
    return [...this.slotOf.values()];
  }

  /** Forgets every key at once (the caller clears its own arrays). */
  clear(): void {
    this.slotOf.clear();
    this.keys.length = 0;
    this.freed.length = 0;
    this.used = 0;
    this.newest = this.oldest = NO_SLOT;
  }

  private append(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NO_SLOT;
    if (this.newest === NO_SLOT) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot];
    const older = this.older[slot];
    if (newer === NO_SLOT) this.newest = older;
    else this.older[newer] = older;
    if (older === NO_SLOT) this.oldest = newer;
    else this.newer[older] = newer;
  }
}
