import { estimateValueBytes } from '../../src/cache/estimate-bytes';

describe('estimateValueBytes', () => {
  it('counts a 10 MB Buffer by its length, not 16x it, without walking its bytes', () => {
    const buffer = Buffer.alloc(10 * 1024 * 1024);
    const bytes = estimateValueBytes(buffer);
    expect(bytes).toBeGreaterThanOrEqual(buffer.byteLength);
    expect(bytes).toBeLessThan(buffer.byteLength * 1.01);
  });

  it('counts typed arrays and ArrayBuffers by their byte length', () => {
    expect(estimateValueBytes(new Float64Array(1000))).toBeGreaterThanOrEqual(8000);
    expect(estimateValueBytes(new ArrayBuffer(4096))).toBeGreaterThanOrEqual(4096);
  });

  it('counts Maps and Sets by their contents', () => {
    const text = 'x'.repeat(1000);
    expect(estimateValueBytes(new Map([['k', text]]))).toBeGreaterThan(2000);
    expect(estimateValueBytes(new Set([text]))).toBeGreaterThan(2000);
    expect(estimateValueBytes(new Map())).toBeLessThan(100);
  });

  it('never runs a getter (user code that may throw or be slow)', () => {
    const value = Object.defineProperty({}, 'lazy', {
      enumerable: true,
      get() {
        throw new Error('getter ran');
      },
    });
    expect(() => estimateValueBytes(value)).not.toThrow();
  });

  it('visits a bounded number of values: past 10,000, each counts as one reference', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ({ i, tags: ['a', 'b'] }));
    const bytes = estimateValueBytes(many);
    // A full walk would count ~130 B per element; the budget stops detail after 10,000 values.
    expect(bytes).toBeGreaterThan(200_000 * 8);
    expect(bytes).toBeLessThan(200_000 * 8 + 10_000 * 130);
  });
});
