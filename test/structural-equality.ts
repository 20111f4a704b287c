/**
 * Structural equality as the cache-key encoder should see it, for tests that compare keys with
 * values: types must match; 0 equals -0 and NaN equals NaN; object key order, Map and Set order do
 * not matter; array holes equal undefined; a missing key differs from an undefined one; typed
 * arrays compare by type and bytes; class instances by class name and `toJSON()` result.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (typeof a !== 'object' || a === null || b === null) return a === b;
  const other = b as object;
  const kind = kindOf(a);
  if (kind !== kindOf(other)) return false;
  switch (kind) {
    case 'array': {
      const [x, y] = [a as unknown[], other as unknown[]];
      return x.length === y.length && Array.from(x).every((item, i) => sameValue(item, y[i]));
    }
    case 'Map':
      return sameMembers([...(a as Map<unknown, unknown>)], [...(other as Map<unknown, unknown>)]);
    case 'Set':
      return sameMembers([...(a as Set<unknown>)], [...(other as Set<unknown>)]);
    case 'Date':
      return sameValue((a as Date).getTime(), (other as Date).getTime());
    case 'object': {
      const [x, y] = [a as Record<string, unknown>, other as Record<string, unknown>];
      const names = Object.keys(x).sort();
      return (
        sameValue(names, Object.keys(y).sort()) &&
        names.every((name) => sameValue(x[name], y[name]))
      );
    }
    default:
      return ArrayBuffer.isView(a)
        ? sameValue(bytesOf(a), bytesOf(other as ArrayBufferView))
        : sameValue(jsonOf(a), jsonOf(other));
  }
}

/** Multiset equality under `sameValue` (an equivalence, so greedy matching is exact). */
function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  const unmatched = [...b];
  return a.every((item) => {
    const index = unmatched.findIndex((other) => sameValue(item, other));
    if (index < 0) return false;
    unmatched.splice(index, 1);
    return true;
  });
}

/** 'array', 'object', or the class name (Map, Set, Date, a typed array, a class with toJSON). */
function kindOf(value: object): string {
  if (Array.isArray(value)) return 'array';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return 'object';
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'anonymous';
}

function bytesOf(view: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

function jsonOf(value: object): unknown {
  return (value as { toJSON(): unknown }).toJSON();
}
