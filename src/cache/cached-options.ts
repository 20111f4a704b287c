import type { ExecutionContext } from '../context';
import {
  checkFunction,
  checkKnownKeys,
  checkName,
  checkOneOf,
  checkOptionsObject,
  checkTtlMs,
  optional,
  optionKeys,
} from '../validation';

/**
 * The `@Cached` policy's options and their validation, in one place; which TTL wins (profile,
 * decorator, `cacheTtl`) is `resolveCacheTtl` in pipeline/resolve-policies.ts.
 */

/** Whose entry a cached call may be served. */
export type TenantMode = 'optional' | 'required' | 'shared';

export interface CachedOptions {
  /**
   * Time to live of this method's entries in ms; 0 = never expires. Default: `cacheTtl`. A
   * function of the result sets it per entry (a short TTL for "not found").
   */
  ttl?: number | ((result: unknown) => number);
  /**
   * For this many ms after an entry expires, serve it at once and refresh it in the background
   * (one refresh per key at a time; counted as a hit and in `staleHits`). Async methods only.
   * Default 0 (off).
   */
  staleWhileRevalidate?: number;
  /**
   * For this many ms after an entry expires, serve it instead of the error when the call fails
   * after all its retries (counted in `staleIfError`); never for the caller's own abort. Async
   * methods only. Default 0 (off).
   */
  staleIfError?: number;
  /** The name keys are built from, instead of `Class.method`. Also the operation profile name. */
  name?: string;
  /** Derives what is keyed from the arguments (its result replaces the arguments in the key). */
  key?: (args: unknown[], ctx: ExecutionContext) => unknown;
  /**
   * `'optional'` (default): keyed by the context's userId/taskId when present.
   * `'required'`: a call without a userId in context runs uncached.
   * `'shared'`: one entry for every tenant (configuration-like data).
   */
  tenant?: TenantMode;
  /** Returns false to keep a result out of the cache. Default: every result is cached. */
  cacheIf?: (result: unknown) => boolean;
  /**
   * Labels for the entry, from the arguments and the result: `invalidateTags([...])` drops every
   * entry carrying any of them. A function that throws or returns anything but an array of strings
   * keeps the result out of the cache (counted in `refused`).
   */
  tags?: (args: unknown[], result: unknown) => readonly string[];
}

/** Validates a `tenant` option, from the service's options or a decorator's. */
export const checkTenantMode = checkOneOf(['optional', 'required', 'shared']);

/** The keys `@Cached` options may hold; any other is refused, with the closest of them. */
export const CACHED_OPTION_KEYS = optionKeys<CachedOptions>({
  ttl: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  name: true,
  key: true,
  tenant: true,
  cacheIf: true,
  tags: true,
});

/** Checks `@Cached` (or `wrap({ cache })`) options where they are declared. */
export function validateCachedOptions(options: CachedOptions, where: string): void {
  checkOptionsObject(where, options);
  checkKnownKeys(where, options, CACHED_OPTION_KEYS);
  if (typeof options.ttl !== 'function') optional(checkTtlMs)(`${where}.ttl`, options.ttl);
  optional(checkTtlMs)(`${where}.staleWhileRevalidate`, options.staleWhileRevalidate);
  optional(checkTtlMs)(`${where}.staleIfError`, options.staleIfError);
  optional(checkName)(`${where}.name`, options.name);
  optional(checkFunction)(`${where}.key`, options.key);
  optional(checkFunction)(`${where}.cacheIf`, options.cacheIf);
  optional(checkFunction)(`${where}.tags`, options.tags);
  optional(checkTenantMode)(`${where}.tenant`, options.tenant);
}
