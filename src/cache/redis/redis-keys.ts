/**
 * Where the tier keeps things in Redis: every key starts with `namespace:{`, and a namespace has
 * no braces, so no namespace's keys start like another's (`a:b:{...}` is not `a:{...}`) and
 * `namespace:{*` finds exactly one namespace's keys. A cache key's value, fence and lock share the
 * braces around the cache key, so Redis Cluster puts them in one hash slot (the tag is the text
 * up to the first `}`, the same for all three) and one script can touch them. Index sets start
 * with `namespace:{}`: an empty tag hashes the whole key, so they spread over the slots.
 */
export class RedisKeys {
  constructor(readonly namespace: string) {}

  value(key: string): string {
    return `${this.namespace}:{${key}}:v`;
  }

  /** The fencing token of the value there, or of the invalidation that dropped it. */
  fence(key: string): string {
    return `${this.namespace}:{${key}}:f`;
  }

  lock(key: string): string {
    return `${this.namespace}:{${key}}:l`;
  }

  /**
   * The admission times of one budget of a shared rate limit (`@RateLimit({ shared: true })`),
   * newest first. Under the empty tag, as index sets are (`r` tells it apart from them); the
   * limiter's name goes with its length, so no name and budget read as another pair.
   */
  rateLimit(limiter: string, budget: string): string {
    return `${this.namespace}:{}r:${limiter.length}:${limiter}:${budget}`;
  }

  /** The set of cache keys of one operation, tenant or tag. */
  index(kind: 'operation' | 'tenant' | 'tag', name: string): string {
    return `${this.namespace}:{}i:${INDEX_LETTER[kind]}:${name}`;
  }

  get channel(): string {
    return `${this.namespace}:{}invalidations`;
  }

  /** Who sends a shared breaker's half-open trial: the token of the process that claimed it. */
  breakerTrial(breaker: string): string {
    return `${this.namespace}:{}b:${breaker}`;
  }

  /** Where shared circuit breakers' state changes go (`@CircuitBreaker({ shared: true })`). */
  get breakerChannel(): string {
    return `${this.namespace}:{}breakers`;
  }

  /** A SCAN pattern matching every key of the namespace (a namespace has no glob characters). */
  get pattern(): string {
    return `${this.namespace}:{*`;
  }

  /**
   * Whether a key of this namespace holds a shared policy's state (a rate limit's budget, a
   * breaker's trial), not the cache's: clearing the cache leaves it.
   */
  isPolicyState(key: string): boolean {
    return key.startsWith(`${this.namespace}:{}r:`) || key.startsWith(`${this.namespace}:{}b:`);
  }

  /** Whether a key of this namespace (as SCAN finds them) holds an entry's value. */
  isValue(key: string): boolean {
    return key.endsWith('}:v') && !key.startsWith(`${this.namespace}:{}`);
  }
}

/** One letter per kind of index set, told apart: tenant and tag share their first letter. */
const INDEX_LETTER = { operation: 'o', tenant: 't', tag: 'g' } as const;
