import type { CachedBatchOptions } from '../cache/cached-batch-options';
import { recordPolicy } from './metadata';
import type { BatchMethod, PolicyDecorator } from './types';
import { validatePolicies } from './validate';

/**
 * Caches a bulk method per item: the method takes an array of ids first and returns an array
 * aligned with them or a Map from id to value. Only the ids not cached (nor in flight) reach the
 * method, deduplicated, at most `maxBatchSize` per call; concurrent calls of the same tenant and
 * other arguments are merged into one call. Items share entries with a `@Cached` method of the
 * same name called `(id, ...rest)`.
 *
 * @example
 * class Users {
 *   @CachedBatch({ name: 'user', ttl: 60_000 })
 *   async getMany(ids: readonly string[]): Promise<(User | null)[]> { ... }
 * }
 */
export function CachedBatch(options: CachedBatchOptions = {}): PolicyDecorator<BatchMethod> {
  validatePolicies({ batch: options }, () => '@CachedBatch');
  return recordPolicy('batch', options, '@CachedBatch') as PolicyDecorator<BatchMethod>;
}
