/**
 * The peers of scenario B2 (no execution context), keyed as their users would key them by hand:
 * no operation/tenant envelope, no context read, no TTL where the code would not ask for one.
 */
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import type { CachePeer } from './peers';
import { Plain, plainFn, TTL_MS, type Args, type Result } from './workload';

/**
 * The minimal hand-written cache: `fn.name + ':' + JSON.stringify(args)`, lru-cache without a
 * TTL, and an in-flight Map so concurrent misses share one load.
 */
export function minimalHandWritten(max: number): CachePeer {
  const plain = new Plain();
  const lru = new LRUCache<string, Result>({ max });
  const inflight = new Map<string, Promise<Result>>();
  async function get(...args: Args): Promise<Result> {
    return plain.get(...args);
  }
  const call = async (...args: Args): Promise<Result> => {
    const key = get.name + ':' + JSON.stringify(args);
    const hit = lru.get(key);
    if (hit !== undefined) return hit;
    const pending = inflight.get(key);
    if (pending) return pending;
    const load = get(...args).then(
      (value) => {
        inflight.delete(key);
        lru.set(key, value);
        return value;
      },
      (error: unknown) => {
        inflight.delete(key);
        throw error;
      },
    );
    inflight.set(key, load);
    return load;
  };
  return {
    name: "minimal hand-written: fn.name + ':' + JSON.stringify(args) + lru-cache (no ttl) + in-flight Map",
    kind: 'baseline',
    call,
    executions: () => plain.executions,
  };
}

/** opossum with its cache keyed by its default (`JSON.stringify` of the arguments). */
export function opossumDefaultKey(max: number): CachePeer {
  const plain = new Plain();
  const breaker = new CircuitBreaker<Args, Result>(plainFn(plain), {
    timeout: false, // no per-call timer: caching only
    cache: true,
    cacheTTL: TTL_MS,
    cacheSize: max,
    coalesce: true,
    coalesceResetOn: ['error', 'success', 'timeout'],
    coalesceSize: max,
  });
  return {
    name: 'opossum fire (cache + coalesce, default key)',
    kind: 'peer',
    call: (...args) => breaker.fire(...args),
    executions: () => plain.executions,
    dispose: () => breaker.shutdown(),
  };
}
