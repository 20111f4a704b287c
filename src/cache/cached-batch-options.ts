import {
  checkFunction,
  checkIntegerInRange,
  checkKnownKeys,
  checkName,
  checkOneOf,
  checkOptionsObject,
  checkTtlMs,
  fail,
  optional,
  optionKeys,
} from '../validation';
import { checkTenantMode, type TenantMode } from './cached-options';

/**
 * The `@CachedBatch` policy's options and their validation. Item keys, tenants, TTLs and tags
 * mean what they mean for `@Cached`, per item.
 */
export interface CachedBatchOptions {
  /**
   * The operation name items are keyed by, as `@Cached({ name })`: a `@Cached` method of the same
   * name whose arguments are `(id, ...rest)` hits the same entries. Default: `Class.method`.
   */
  name?: string;
  /** Time to live of each item in ms (0 = never expires), or a function of the item's value. */
  ttl?: number | ((value: unknown) => number);
  /** As `@Cached`'s `tenant`: whose entries an item may be served from. */
  tenant?: TenantMode;
  /**
   * For this many ms after an item expires, serve it at once and refresh it in the background
   * (batched with the other refreshes of the turn). Default 0 (off).
   */
  staleWhileRevalidate?: number;
  /**
   * For this many ms after an item expires, serve it instead of the error when its load fails
   * (the method call, or its item); never for the caller's own abort. Default 0 (off).
   */
  staleIfError?: number;
  /** Returns false to keep an item's value out of the cache. */
  cacheIf?: (value: unknown) => boolean;
  /** An item's tags, from its id and value (`invalidateTags` drops every item carrying one). */
  tags?: (id: unknown, value: unknown) => readonly string[];
  /** Ids per method call: more missing ids are split into several calls. Default 100. */
  maxBatchSize?: number;
  /**
   * How long to collect ids before the method call, in ms. Default 0: the calls made in the
   * current turn of the event loop (as DataLoader).
   */
  batchWindow?: number;
  /** Whether an id the method's result lacks is cached (as `undefined`). Default true. */
  cacheMissing?: boolean;
  /**
   * What the method returns, for an empty id list (answered without calling it): `'array'` or
   * `'map'`. Default: what it returned last, else `'array'`.
   */
  returns?: 'array' | 'map';
}

/** The largest `maxBatchSize`: a larger chunk is a request no backend should get. */
export const MAX_BATCH_SIZE = 10_000;
export const DEFAULT_BATCH_SIZE = 100;

/** The keys `@CachedBatch` options may hold; any other is refused, with the closest of them. */
export const CACHED_BATCH_OPTION_KEYS = optionKeys<CachedBatchOptions>({
  name: true,
  ttl: true,
  tenant: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  cacheIf: true,
  tags: true,
  maxBatchSize: true,
  batchWindow: true,
  cacheMissing: true,
  returns: true,
});

const checkReturns = checkOneOf(['array', 'map']);
const checkBatchWindow = checkIntegerInRange(0, 60_000);

/** Checks `@CachedBatch` (or `wrapBatch`) options where they are declared. */
export function validateCachedBatchOptions(options: CachedBatchOptions, where: string): void {
  checkOptionsObject(where, options);
  checkKnownKeys(where, options, CACHED_BATCH_OPTION_KEYS);
  optional(checkName)(`${where}.name`, options.name);
  if (typeof options.ttl !== 'function') optional(checkTtlMs)(`${where}.ttl`, options.ttl);
  optional(checkTenantMode)(`${where}.tenant`, options.tenant);
  optional(checkTtlMs)(`${where}.staleWhileRevalidate`, options.staleWhileRevalidate);
  optional(checkTtlMs)(`${where}.staleIfError`, options.staleIfError);
  optional(checkFunction)(`${where}.cacheIf`, options.cacheIf);
  optional(checkFunction)(`${where}.tags`, options.tags);
  optional(checkIntegerInRange(1, MAX_BATCH_SIZE))(`${where}.maxBatchSize`, options.maxBatchSize);
  optional(checkBatchWindow)(`${where}.batchWindow`, options.batchWindow);
  if (options.cacheMissing !== undefined && typeof options.cacheMissing !== 'boolean') {
    fail(`${where}.cacheMissing`, options.cacheMissing, 'true or false');
  }
  optional(checkReturns)(`${where}.returns`, options.returns);
}
