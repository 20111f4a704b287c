/**
 * How often each key was asked for, approximately, in a fixed amount of memory: a count-min
 * sketch of 4 rows of one-byte counters that saturate at 15 (TinyLFU's, as Caffeine keeps it),
 * two per entry of capacity in each row (8 B per entry). A key's
 * estimate is the smallest of its 4 counters, so collisions can only raise it. Every
 * `10 x capacity` increments all counters are halved, so old popularity fades and the counts
 * stay bounded whatever the traffic.
 */
export class FrequencySketch {
  private readonly table: Uint8Array;
  private readonly width: number;
  private readonly mask: number;
  private readonly sampleSize: number;
  private additions = 0;

  /** @param capacity the number of entries the sketch serves (the cache's size). */
  constructor(capacity: number) {
    // Two counters per entry and row: fewer collisions between the cache's keys and the one-offs.
    this.width = nextPowerOfTwo(Math.max(16, 2 * capacity));
    this.mask = this.width - 1;
    this.table = new Uint8Array(this.width * ROWS);
    this.sampleSize = 10 * Math.max(1, capacity);
  }

  /** A 32-bit hash of `key` (FNV-1a over its UTF-16 code units). */
  static hash(key: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return h | 0;
  }

  /** Counts one more access to the key hashed `hash`. */
  increment(hash: number): void {
    let added = false;
    for (let row = 0; row < ROWS; row++) {
      const index = this.indexOf(hash, row);
      if (this.table[index] < MAX_COUNT) {
        this.table[index]++;
        added = true;
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.age();
  }

  /** How often the key hashed `hash` was asked for (an upper bound, 0 to 15). */
  estimate(hash: number): number {
    let min = MAX_COUNT;
    for (let row = 0; row < ROWS; row++) min = Math.min(min, this.table[this.indexOf(hash, row)]);
    return min;
  }

  /** The bytes the sketch holds (its counters). */
  get bytes(): number {
    return this.table.length;
  }

  private indexOf(hash: number, row: number): number {
    let h = Math.imul(hash ^ SEEDS[row], 0x9e3779b1);
    h ^= h >>> 16;
    return (h & this.mask) + row * this.width;
  }

  /** Halves every counter: what was popular long ago counts for less than what is popular now. */
  private age(): void {
    for (let i = 0; i < this.table.length; i++) this.table[i] >>>= 1;
    this.additions >>>= 1;
  }
}

const ROWS = 4;
const MAX_COUNT = 15;
/** One seed per row, so a key's 4 counters sit at unrelated places. */
const SEEDS = [0x97cb3127, 0x2b9d4c5f, 0x5c6a1e3b, 0x1f83d9ab];

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
