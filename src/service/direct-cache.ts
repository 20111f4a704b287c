import { buildCacheKey } from '../cache/cache-key';
import { MISS } from '../cache/store';
import {
  warmUp,
  type WarmUpOperation,
  type WarmUpOptions,
  type WarmUpResult,
} from '../cache/warm-up';
import {
  checkFunction,
  checkOptionsObject,
  checkPositiveInteger,
  checkString,
  checkTtlMs,
  fail,
  optional,
} from '../validation';
import type { ServiceCore } from './service-core';

/** The original's `get_from_cache`: the value, or undefined when missing or expired. */
export function getFromCache<T>(core: ServiceCore, key: string): T | undefined {
  checkString('key', key);
  const value = core.store && !core.closed ? core.store.get(key) : MISS;
  core.report.directRead(value !== MISS);
  return value === MISS ? undefined : (value as T);
}

/** The original's `add_to_cache`: `value` under `key` for `ttl` ms (default `cacheTtl`). */
export function addToCache(core: ServiceCore, key: string, value: unknown, ttl?: number): void {
  checkString('key', key);
  if (ttl !== undefined) checkTtlMs('ttl', ttl);
  if (!core.store || core.closed) return;
  core.store.set(key, value, ttl);
  core.report.directWrite();
}

/** The original's `warm_up_cache`: loads what is not cached yet, keyed as decorated calls are. */
export function warmUpCache(
  core: ServiceCore,
  ops: WarmUpOperation[],
  opts: WarmUpOptions,
): Promise<WarmUpResult> {
  if (!Array.isArray(ops)) fail('ops', ops, 'an array of operations');
  checkOptionsObject('warmUpCache options', opts);
  const { concurrency = 10, onProgress } = opts;
  checkPositiveInteger('concurrency', concurrency);
  optional(checkFunction)('onProgress', onProgress);
  const store = core.store;
  if (!store || core.closed) {
    // Nothing can be cached (cacheSize 0, or closed): loading would only cost the backend.
    return Promise.resolve({ warmed: 0, skipped: ops.length, failed: 0 });
  }
  return warmUp(
    {
      keyOf: (op) => buildCacheKey(op.funcName, op.userId, op.taskId, op.args, op.kwargs),
      has: (key) => store.has(key),
      set: (key, value, ttl) => addToCache(core, key, value, ttl),
    },
    ops,
    concurrency,
    onProgress,
  );
}
