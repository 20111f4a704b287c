/**
 * A rough, cheap estimate of the bytes a cached value holds, for `getMemoryStats()`. It never
 * runs user code (getters and `toJSON` are not called), counts binary data by its byte length
 * instead of walking it, and gives up on detail past a depth and a number of visited values, so
 * one huge or deeply nested value cannot make a monitoring call slow.
 */
export function estimateValueBytes(value: unknown): number {
  const walk = { budget: MAX_VISITED };
  try {
    return estimate(value, 0, walk);
  } catch {
    // A Proxy whose traps throw (or a revoked one): its contents cannot be read.
    return REFERENCE_BYTES;
  }
}

const MAX_DEPTH = 8;
/** Values visited per entry; past it, each remaining value counts as a reference. */
const MAX_VISITED = 10_000;
const REFERENCE_BYTES = 8;
const OBJECT_HEADER_BYTES = 32;

function estimate(value: unknown, depth: number, walk: { budget: number }): number {
  walk.budget--;
  switch (typeof value) {
    case 'string':
      return 16 + 2 * value.length;
    case 'object':
      if (value === null) return REFERENCE_BYTES;
      if (ArrayBuffer.isView(value)) return OBJECT_HEADER_BYTES + value.byteLength;
      if (value instanceof ArrayBuffer) return OBJECT_HEADER_BYTES + value.byteLength;
      if (depth >= MAX_DEPTH || walk.budget <= 0) return REFERENCE_BYTES;
      return OBJECT_HEADER_BYTES + contentsBytes(value, depth + 1, walk);
    default:
      return REFERENCE_BYTES;
  }
}

function contentsBytes(object: object, depth: number, walk: { budget: number }): number {
  let bytes = 0;
  const add = (v: unknown): void => {
    bytes += REFERENCE_BYTES + (walk.budget > 0 ? estimate(v, depth, walk) : 0);
  };
  if (object instanceof Map) {
    for (const [k, v] of object) {
      add(k);
      add(v);
    }
  } else if (object instanceof Set) {
    for (const v of object) add(v);
  } else if (Array.isArray(object)) {
    for (const v of object) add(v);
  } else {
    for (const key of Object.keys(object)) {
      // A getter is user code that may throw or be slow: count it as a reference, unread.
      // Property names live in shared hidden classes, not in each object: they are not counted.
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      if (descriptor && 'value' in descriptor) add(descriptor.value);
      else bytes += REFERENCE_BYTES;
    }
  }
  return bytes;
}
