import { FrequencySketch } from '../../src/cache/frequency-sketch';

const h = FrequencySketch.hash;

describe('FrequencySketch', () => {
  it('estimates how often a key was counted, never below the truth', () => {
    const sketch = new FrequencySketch(1_000);
    for (let i = 0; i < 7; i++) sketch.increment(h('hot'));
    sketch.increment(h('warm'));
    expect(sketch.estimate(h('hot'))).toBeGreaterThanOrEqual(7);
    expect(sketch.estimate(h('warm'))).toBeGreaterThanOrEqual(1);
    expect(sketch.estimate(h('never'))).toBeLessThan(sketch.estimate(h('hot')));
  });

  it('is nearly exact for a few keys in a large sketch', () => {
    const sketch = new FrequencySketch(10_000);
    for (let k = 0; k < 100; k++) for (let i = 0; i < k % 10; i++) sketch.increment(h(`key-${k}`));
    let exact = 0;
    for (let k = 0; k < 100; k++) if (sketch.estimate(h(`key-${k}`)) === k % 10) exact++;
    expect(exact).toBeGreaterThanOrEqual(98);
  });

  it('saturates at 15', () => {
    const sketch = new FrequencySketch(1_000);
    for (let i = 0; i < 100; i++) sketch.increment(h('k'));
    expect(sketch.estimate(h('k'))).toBe(15);
  });

  it('halves every count after 20 x capacity additions, so old popularity fades', () => {
    const sketch = new FrequencySketch(16);
    for (let i = 0; i < 12; i++) sketch.increment(h('old'));
    expect(sketch.estimate(h('old'))).toBe(12);
    // 320 additions in all trigger the halving: the other keys' counts push it there.
    for (let i = 0; i < 307; i++) sketch.increment(h(`filler-${i}`));
    expect(sketch.estimate(h('old'))).toBeGreaterThanOrEqual(12);
    sketch.increment(h('filler-last'));
    expect(sketch.estimate(h('old'))).toBeLessThanOrEqual(7);
  });

  it('holds 4 rows of two one-byte counters per entry of its capacity (a power of two)', () => {
    expect(new FrequencySketch(1_000).bytes).toBe(4 * 2_048);
    expect(new FrequencySketch(1).bytes).toBe(4 * 16);
  });

  it('hashes a key the same way every time, and different keys apart', () => {
    expect(h('abc')).toBe(h('abc'));
    expect(h('abc')).not.toBe(h('abd'));
    expect(Number.isInteger(h(''))).toBe(true);
  });
});
