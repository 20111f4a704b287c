/**
 * Reading a batched method's result, item by item: an array aligned with the ids it was called
 * with, or a `Map` from id to value. Anything else, or an array of the wrong length, fails every
 * id of the call: never a shifted assignment.
 */

/** What a batched method returned, read per id: its value, or why the whole call failed. */
export type BatchItems =
  | { readonly ok: true; item(index: number): unknown }
  | {
      readonly ok: false;
      readonly error: Error;
    };

export type BatchShape = 'array' | 'map';

/** The shape of `result`, if it is one a batched method may return. */
export function shapeOf(result: unknown): BatchShape | undefined {
  if (Array.isArray(result)) return 'array';
  if (result instanceof Map) return 'map';
  return undefined;
}

export function readBatchResult(
  operation: string,
  ids: readonly unknown[],
  result: unknown,
): BatchItems {
  if (Array.isArray(result)) {
    if (result.length !== ids.length) {
      const error = new TypeError(
        `${operation}: @CachedBatch method returned ${result.length} items for ${ids.length} ids ` +
          '(an array result must hold one item per id, in order)',
      );
      return { ok: false, error };
    }
    const items: readonly unknown[] = result;
    return { ok: true, item: (index) => items[index] };
  }
  if (result instanceof Map) {
    const byId: ReadonlyMap<unknown, unknown> = result;
    return { ok: true, item: (index) => byId.get(ids[index]) };
  }
  const got = result === null ? 'null' : typeof result;
  const error = new TypeError(
    `${operation}: @CachedBatch method returned ${got}; return an array aligned with the ids, ` +
      'or a Map from id to value',
  );
  return { ok: false, error };
}

/** The caller's answer in the method's shape: an array aligned with `ids`, or a Map of them. */
export function assemble(shape: BatchShape, ids: readonly unknown[], values: unknown[]): unknown {
  if (shape === 'array') return values;
  const map = new Map<unknown, unknown>();
  // As the method's own Map: an id without a value is absent, not mapped to undefined.
  for (let i = 0; i < ids.length; i++) if (values[i] !== undefined) map.set(ids[i], values[i]);
  return map;
}
