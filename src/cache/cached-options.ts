import type { ExecutionContext } from '../context';
import {
  checkFunction,
  checkKnownKeys,
  checkName,
  checkOneOf,
  checkOptionsObject,
  checkPositiveNumber,
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

/**
 * Probabilistic early refresh (XFetch): a hit refreshes its entry in the background with a
 * probability that rises as expiry nears, scaled by how long the entry took to load and `beta`
 * (default 1; larger refreshes earlier). `true` is `{ beta: 1 }`.
 */
export type RefreshAhead = boolean | { beta?: number };

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
  /**
   * Refresh an entry before it expires, in the background, so no caller waits for a hot key to
   * reload (XFetch; see `RefreshAhead`). Async methods only. Default: the service's
   * `refreshAhead` (off).
   */
  refreshAhead?: RefreshAhead;
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
  refreshAhead: true,
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
  checkRefreshAhead(`${where}.refreshAhead`, options.refreshAhead);
  optional(checkName)(`${where}.name`, options.name);
  optional(checkFunction)(`${where}.key`, options.key);
  optional(checkFunction)(`${where}.cacheIf`, options.cacheIf);
  optional(checkFunction)(`${where}.tags`, options.tags);
  optional(checkTenantMode)(`${where}.tenant`, options.tenant);
}

/** Validates a `refreshAhead` option (a decorator's, a profile's or the service's). */
export function checkRefreshAhead(label: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  checkOptionsObject(label, value);
  checkKnownKeys(label, value as object, ['beta']);
  optional(checkPositiveNumber)(`${label}.beta`, (value as { beta?: unknown }).beta);
}

/** The `beta` of a `refreshAhead` setting, or undefined when it is off. */
export function refreshBeta(setting: RefreshAhead | undefined): number | undefined {
  if (setting === undefined || setting === false) return undefined;
  return setting === true ? 1 : (setting.beta ?? 1);
}
