/**
 * The peers of scenario B2 (no execution context), keyed as their users would key them by hand:
 * no operation/tenant envelope, no context read, no TTL where the code would not ask for one.
 */
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { handWrittenCache, type CachePeer } from './peers';
import { Plain, plainFn, TTL_MS, type Args, type Result } from './workload';

/**
 * The minimal hand-written cache: `fn.name + ':' + JSON.stringify(args)`, lru-cache without a
 * TTL, and an in-flight Map so concurrent misses share one load.
 */
export function minimalHandWritten(max: number): CachePeer {
  const plain = new Plain();
  async function get(...args: Args): Promise<Result> {
    return plain.get(...args);
  }
  const keyOf = (args: Args): string => get.name + ':' + JSON.stringify(args);
  return {
    name: "minimal hand-written: fn.name + ':' + JSON.stringify(args) + lru-cache (no ttl) + in-flight Map",
    kind: 'baseline',
    call: handWrittenCache(new LRUCache<string, Result>({ max }), keyOf, get),
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
