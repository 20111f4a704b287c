import { ConfigError } from '../../errors';
import {
  checkKnownKeys,
  checkOptionsObject,
  checkPositiveInteger,
  checkPositiveMs,
  fail,
  optionKeys,
  optional,
} from '../../validation';
import type { RedisClientLike } from './redis-client';

/**
 * The shared tier: `{ url }` (the library connects with ioredis, an optional peer dependency) or
 * `{ client }` (an ioredis `Redis` or `Cluster` you made; the library never closes it).
 */
export type RedisTierOptions = (
  { url: string; client?: undefined } | { client: RedisClientLike; url?: undefined }
) & {
  /** Each Redis command's own limit in ms: past it the call goes on as a miss. Default 100. */
  commandTimeout?: number;
  /**
   * Cross-process single-flight: processes missing the same cold key run the method once. `ttl`:
   * how long a holder may keep a key's lock (a crashed holder frees it then), default 10_000 ms;
   * `wait`: how long another process waits for the holder's value before running the method
   * itself, default 5_000 ms. `false`: every process that misses runs the method.
   */
  lock?: { ttl?: number; wait?: number } | false;
  /**
   * The tier's circuit breaker: opens after this many Redis failures in a row (calls then skip
   * Redis) and tries again after `halfOpenAfter` ms. Default `{ failures: 5, halfOpenAfter: 1_000 }`.
   */
  breaker?: { failures?: number; halfOpenAfter?: number };
};

export interface ResolvedRedisOptions {
  readonly url: string | undefined;
  readonly client: RedisClientLike | undefined;
  readonly commandTimeout: number;
  readonly lock: { readonly ttl: number; readonly wait: number } | false;
  readonly breaker: { readonly failures: number; readonly halfOpenAfter: number };
  readonly namespace: string;
}

export const DEFAULT_NAMESPACE = 'execution-utils';

const REDIS_OPTION_KEYS = optionKeys<RedisTierOptions>({
  url: true,
  client: true,
  commandTimeout: true,
  lock: true,
  breaker: true,
});
const LOCK_OPTION_KEYS = optionKeys<Exclude<NonNullable<RedisTierOptions['lock']>, false>>({
  ttl: true,
  wait: true,
});
const BREAKER_OPTION_KEYS = optionKeys<NonNullable<RedisTierOptions['breaker']>>({
  failures: true,
  halfOpenAfter: true,
});

export function resolveRedisOptions(
  options: RedisTierOptions,
  namespace: string | undefined,
): ResolvedRedisOptions {
  checkOptionsObject('redis', options);
  checkKnownKeys('redis', options, REDIS_OPTION_KEYS);
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    throw new ConfigError('redis', 'give exactly one of `url` (redis://host:port) or `client`');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/./.test(url))) {
    fail('redis.url', url, 'a redis:// or rediss:// URL');
  }
  if (client !== undefined) checkClient(client);
  optional(checkPositiveMs)('redis.commandTimeout', options.commandTimeout);
  if (options.lock !== undefined && options.lock !== false) {
    checkOptionsObject('redis.lock', options.lock);
    checkKnownKeys('redis.lock', options.lock, LOCK_OPTION_KEYS);
    optional(checkPositiveInteger)('redis.lock.ttl', options.lock.ttl);
    optional(checkPositiveInteger)('redis.lock.wait', options.lock.wait);
  }
  if (options.breaker !== undefined) {
    checkOptionsObject('redis.breaker', options.breaker);
    checkKnownKeys('redis.breaker', options.breaker, BREAKER_OPTION_KEYS);
    optional(checkPositiveInteger)('redis.breaker.failures', options.breaker.failures);
    optional(checkPositiveInteger)('redis.breaker.halfOpenAfter', options.breaker.halfOpenAfter);
  }
  return {
    url,
    client,
    commandTimeout: options.commandTimeout ?? 100,
    lock:
      options.lock === false
        ? false
        : { ttl: options.lock?.ttl ?? 10_000, wait: options.lock?.wait ?? 5_000 },
    breaker: {
      failures: options.breaker?.failures ?? 5,
      halfOpenAfter: options.breaker?.halfOpenAfter ?? 1_000,
    },
    namespace: checkNamespace(namespace),
  };
}

/**
 * Every Redis key and the channel start with `namespace:{` (see redis-keys.ts). No braces (they
 * would let one namespace's keys read as another's and move Cluster slots), no glob characters
 * (they would widen the SCAN of a clear), no whitespace; `:` is fine (`billing:v2`).
 */
function checkNamespace(namespace: string | undefined): string {
  if (namespace === undefined) return DEFAULT_NAMESPACE;
  if (typeof namespace !== 'string' || !/^[^\s{}*?[\]\\]+$/.test(namespace)) {
    fail('namespace', namespace, 'a non-empty string without spaces, braces or * ? [ ] \\');
  }
  return namespace;
}

function checkClient(client: unknown): void {
  const c = client as Partial<RedisClientLike> | null;
  const methods = ['evalsha', 'eval', 'publish', 'duplicate', 'del', 'ping'] as const;
  if (typeof c !== 'object' || c === null || methods.some((m) => typeof c[m] !== 'function')) {
    fail('redis.client', client, 'an ioredis Redis or Cluster client');
  }
}
