import type { Pool } from 'pg';
import {
  Bulkhead,
  Cached,
  CachedBatch,
  CircuitBreaker,
  ExecutionUtils,
  Retry,
  Timeout,
  getExecutionContext,
} from '../../src';
import type { Item } from './schema';

/** What the HTTP layer needs of a repository: the decorated one, or the hand-written reference. */
export interface Items {
  get(id: number): Promise<Item | null>;
  getMany(ids: readonly number[]): Promise<(Item | null)[]>;
  update(id: number, patch: { name?: string; price?: number }): Promise<Item | null>;
}

/** The tenant of the request being served: the HTTP layer enters it with `runWithContext`. */
export function currentTenant(): string {
  const tenant = getExecutionContext()?.userId;
  if (tenant === undefined) throw new Error('no tenant in the context: enter one per request');
  return tenant;
}

/** The tag of one item's entries: tags are global, so it names the tenant too. */
export const itemTag = (tenant: string, id: number): string => `item:${tenant}:${id}`;

/** A missing row is cached too (`null`), without a tag: the example never creates rows. */
const tagsOf = (id: number, item: Item | null | undefined): string[] =>
  item ? [itemTag(item.tenant, id)] : [];

const ROW = 'tenant, id, name, price, version';

/**
 * The items table behind the policies a production read path wants: cached per tenant (the
 * tenant is the context's `userId`), with stale entries served for 10 minutes when PostgreSQL
 * fails; each query under a 1 s timeout, retried once, behind one breaker and one bulkhead for
 * the whole database (both named 'postgres'), so an outage opens one breaker, not one per method.
 * `get` and `getMany` share their entries (`name: 'item'`).
 */
export class ItemRepository implements Items {
  constructor(
    private readonly pool: Pool,
    private readonly utils: ExecutionUtils,
  ) {}

  @Cached({
    name: 'item',
    ttl: 60_000,
    staleIfError: 600_000,
    tags: ([id], item) => tagsOf(id as number, item as Item | null),
  })
  @Bulkhead({ name: 'postgres', maxConcurrent: 16, maxQueue: 10_000 })
  @Retry({ attempts: 2, backoff: 20, minDelay: 20, maxDelay: 100 })
  @CircuitBreaker({ name: 'postgres', consecutiveFailures: 5, halfOpenAfter: 2_000 })
  @Timeout(1_000)
  async get(id: number): Promise<Item | null> {
    const { rows } = await this.pool.query<Item>(
      `SELECT ${ROW} FROM items WHERE tenant = $1 AND id = $2`,
      [currentTenant(), id],
    );
    return rows[0] ?? null;
  }

  @CachedBatch({
    name: 'item',
    ttl: 60_000,
    staleIfError: 600_000,
    maxBatchSize: 100,
    tags: (id, item) => tagsOf(id as number, item as Item | null),
  })
  @Bulkhead({ name: 'postgres', maxConcurrent: 16, maxQueue: 10_000 })
  @Retry({ attempts: 2, backoff: 20, minDelay: 20, maxDelay: 100 })
  @CircuitBreaker({ name: 'postgres', consecutiveFailures: 5, halfOpenAfter: 2_000 })
  @Timeout(1_000)
  async getMany(ids: readonly number[]): Promise<(Item | null)[]> {
    const { rows } = await this.pool.query<Item>(
      `SELECT ${ROW} FROM items WHERE tenant = $1 AND id = ANY($2::int[])`,
      [currentTenant(), ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Writes, then drops the item's entries in every worker (by tag, over Redis pub/sub). */
  async update(id: number, patch: { name?: string; price?: number }): Promise<Item | null> {
    const tenant = currentTenant();
    const { rows } = await this.pool.query<Item>(
      `UPDATE items SET name = coalesce($3, name), price = coalesce($4, price), version = version + 1
       WHERE tenant = $1 AND id = $2 RETURNING ${ROW}`,
      [tenant, id, patch.name ?? null, patch.price ?? null],
    );
    await this.utils.invalidateTags([itemTag(tenant, id)]);
    return rows[0] ?? null;
  }
}
