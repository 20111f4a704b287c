import { LRUCache } from 'lru-cache';
import { currentTenant, type Items } from './item-repository';
import type { Item } from './schema';

/** The key a user writes: the method's name, then the tenant and the id as JSON. */
const keyOf = (id: number): string => 'item:' + JSON.stringify([currentTenant(), id]);

/**
 * The reference the README's table compares with: the caching a user writes by hand over the
 * same repository (run with caching off, its policies kept). The key is the method's name and
 * `JSON.stringify` of the tenant and arguments, values sit in an lru-cache with the same TTL,
 * and concurrent misses share one load through an in-flight Map. No Redis tier, no invalidation
 * across workers: a write drops the entry in its own worker only.
 */
export class HandCachedItems implements Items {
  private readonly cache: LRUCache<string, { item: Item | null }>;
  private readonly inFlight = new Map<string, Promise<Item | null>>();

  constructor(
    private readonly inner: Items,
    size: number,
    ttlMs: number,
  ) {
    this.cache = new LRUCache({ max: size, ttl: ttlMs });
  }

  async get(id: number): Promise<Item | null> {
    const key = keyOf(id);
    const cached = this.cache.get(key);
    if (cached) return cached.item;
    let load = this.inFlight.get(key);
    if (!load) {
      load = this.inner
        .get(id)
        .then((item) => {
          this.cache.set(key, { item });
          return item;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, load);
    }
    return load;
  }

  /** The cached items from the cache, the others in one query. */
  async getMany(ids: readonly number[]): Promise<(Item | null)[]> {
    const found = ids.map((id) => this.cache.get(keyOf(id)));
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length === 0) return found.map((entry) => entry!.item);
    const loaded = await this.inner.getMany(missing);
    const byId = new Map(missing.map((id, i) => [id, loaded[i]]));
    for (const [id, item] of byId) this.cache.set(keyOf(id), { item });
    return ids.map((id, i) => found[i]?.item ?? byId.get(id) ?? null);
  }

  async update(id: number, patch: { name?: string; price?: number }): Promise<Item | null> {
    const item = await this.inner.update(id, patch);
    this.cache.delete(keyOf(id));
    return item;
  }
}
