/**
 * The caching peers of scenarios B and C, each wrapping its own `Plain` (so its executions can be
 * counted), bounded to `max` entries and given the same one-hour TTL as ours where it has one.
 * Every key identifies operation + userId + taskId + all arguments.
 */
import { Cacheable } from '@type-cacheable/core';
import { LRUCacheAdapter } from '@type-cacheable/lru-cache-adapter';
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import objectHash from 'object-hash';
import CircuitBreaker from 'opossum';
import { getExecutionContext } from '../src';
import type { Esm } from './esm';
import type { Kind } from './model';
import {
  makeResult,
  OP,
  peerKey,
  Plain,
  plainFn,
  TTL_MS,
  type Args,
  type GetFn,
  type Query,
  type Result,
} from './workload';

export interface CachePeer {
  name: string;
  kind: Kind;
  call: GetFn;
  /** How many times the wrapped method ran. */
  executions: () => number;
  dispose?: () => unknown;
}

export function cachePeers(esm: Esm, max: number): CachePeer[] {
  return [
    handWritten(max),
    objectHashPort(max),
    pMemoizePeer(esm, max),
    typeCacheablePeer(max),
    bentoPeer(esm, max),
    cacheManagerPeer(max),
    opossumPeer(max),
  ];
}

/** The baseline: JSON key + lru-cache + in-flight Map, as an async function. */
function handWritten(max: number): CachePeer {
  const plain = new Plain();
  const lru = new LRUCache<string, Result>({ max, ttl: TTL_MS });
  const keyOf = (args: Args): string => {
    const ctx = getExecutionContext();
    return JSON.stringify([OP, ctx?.userId ?? '', ctx?.taskId ?? '', args]);
  };
  return {
    name: 'hand-written: JSON key + lru-cache + in-flight Map',
    kind: 'baseline',
    call: handWrittenCache(lru, keyOf, (...args) => plain.get(...args)),
    executions: () => plain.executions,
  };
}

/**
 * What a user writes by hand: look the key up, join a load in flight for it, else load, cache
 * the value and free the key. `keyOf` and the cache's options are what the baselines differ in.
 */
export function handWrittenCache(
  lru: LRUCache<string, Result>,
  keyOf: (args: Args) => string,
  load: GetFn,
): GetFn {
  const inflight = new Map<string, Promise<Result>>();
  return async (...args) => {
    const key = keyOf(args);
    const hit = lru.get(key);
    if (hit !== undefined) return hit;
    const pending = inflight.get(key);
    if (pending) return pending;
    const loading = load(...args).then(
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
    inflight.set(key, loading);
    return loading;
  };
}

/** The naive port of the Python original: object-hash of the call, lru-cache, no single-flight. */
function objectHashPort(max: number): CachePeer {
  const plain = new Plain();
  const lru = new LRUCache<string, Result>({ max, ttl: TTL_MS });
  const call = async (...args: Args): Promise<Result> => {
    const ctx = getExecutionContext();
    const key = objectHash({
      func: OP,
      userId: ctx?.userId ?? '',
      taskId: ctx?.taskId ?? '',
      args,
      kwargs: {},
    });
    const hit = lru.get(key);
    if (hit !== undefined) return hit;
    const value = await plain.get(...args);
    lru.set(key, value);
    return value;
  };
  return {
    name: 'object-hash + lru-cache (naive port)',
    kind: 'peer',
    call,
    executions: () => plain.executions,
  };
}

function pMemoizePeer(esm: Esm, max: number): CachePeer {
  const plain = new Plain();
  const call = esm.pMemoize(plainFn(plain), {
    // The default key is the first argument only.
    cacheKey: (args: Args) => peerKey(args),
    cache: new LRUCache<string, Result>({ max, ttl: TTL_MS }),
  });
  return { name: 'p-memoize + lru-cache', kind: 'peer', call, executions: () => plain.executions };
}

function typeCacheablePeer(max: number): CachePeer {
  const client = new LRUCacheAdapter(new LRUCache<string, Result>({ max, ttl: TTL_MS }));
  class TypeCacheableSvc {
    executions = 0;

    @Cacheable({ client, cacheKey: (args: unknown[]) => peerKey(args), ttlSeconds: TTL_MS / 1000 })
    async get(
      userId: string,
      _taskId: string,
      q: string,
      n: number,
      query: Query,
    ): Promise<Result> {
      this.executions++;
      return makeResult(userId, q, n, query);
    }
  }
  const svc = new TypeCacheableSvc();
  return {
    name: '@type-cacheable/core + lru adapter',
    kind: 'peer',
    call: (...args) => svc.get(...args),
    executions: () => svc.executions,
  };
}

function bentoPeer(esm: Esm, max: number): CachePeer {
  const plain = new Plain();
  const bento = new esm.BentoCache({
    default: 'memory',
    stores: {
      // serialize: false keeps values as objects, like every other cache here.
      memory: esm.bentostore().useL1Layer(esm.memoryDriver({ maxItems: max, serialize: false })),
    },
  });
  const call = (...args: Args): Promise<Result> =>
    bento.getOrSet({ key: peerKey(args), factory: () => plain.get(...args), ttl: TTL_MS });
  return {
    name: 'bentocache (memory) getOrSet',
    kind: 'peer',
    call,
    executions: () => plain.executions,
    dispose: () => bento.disconnect(),
  };
}

function cacheManagerPeer(max: number): CachePeer {
  const plain = new Plain();
  const cache = boundedCacheManager(max);
  const call = (...args: Args): Promise<Result> =>
    cache.wrap(peerKey(args), () => plain.get(...args));
  return {
    name: 'cache-manager 7 wrap (Keyv + lru-cache)',
    kind: 'peer',
    call,
    executions: () => plain.executions,
    dispose: () => cache.disconnect(),
  };
}

/**
 * cache-manager 7 with its Keyv store bounded to `max` entries. The default Keyv store is an
 * unbounded Map, and an lru-cache cannot be the store as is: Keyv calls `store.set(key, value,
 * ttl)` and lru-cache 11 throws on a number as its third argument (Keyv swallows the error, so
 * nothing is ever cached). A Map-like adapter drops the ttl; Keyv keeps its own `expires` in
 * each entry. Keyv 5 is cache-manager's nested dependency, so its default instance is reused
 * (its `store` replaced) rather than imported.
 */
export function boundedCacheManager(max: number) {
  const cache = createCache({ ttl: TTL_MS });
  const lru = new LRUCache<string, object>({ max });
  cache.stores[0].store = {
    get: (key: string) => lru.get(key),
    set: (key: string, value: object) => {
      lru.set(key, value);
      return true;
    },
    delete: (key: string) => lru.delete(key),
    clear: () => lru.clear(),
    has: (key: string) => lru.has(key),
  };
  return cache;
}

function opossumPeer(max: number): CachePeer {
  const plain = new Plain();
  const breaker = new CircuitBreaker<Args, Result>(plainFn(plain), {
    timeout: false, // no per-call timer: caching only
    cache: true,
    cacheTTL: TTL_MS,
    cacheSize: max,
    cacheGetKey: (...args: unknown[]) => peerKey(args),
    coalesce: true,
    coalesceResetOn: ['error', 'success', 'timeout'],
    coalesceSize: max,
  });
  return {
    name: 'opossum (cache + coalesce)',
    kind: 'peer',
    call: (...args) => breaker.fire(...args),
    executions: () => plain.executions,
    dispose: () => breaker.shutdown(),
  };
}
