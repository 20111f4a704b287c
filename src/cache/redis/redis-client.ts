import { createHash } from 'node:crypto';
import { loadOptionalPeer } from '../../optional-peer';

/**
 * The part of an ioredis client (`Redis` or `Cluster`) the Redis tier uses. Declared here so the
 * library's types do not need ioredis installed; pass an ioredis client as is.
 */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  publish(channel: string, message: string): Promise<number>;
  ping(): Promise<string>;
  /**
   * A copy of the connection. A `Redis` client is given options for the copy; a `Cluster` client
   * (whose first parameter is its startup nodes) is called without any.
   */
  duplicate(override?: unknown): RedisSubscriberLike;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly status: string;
  /** A `Cluster` client's nodes; absent on a single-node client (which is then its one node). */
  nodes?(role: 'master'): RedisNodeLike[];
}

/** One server's connection: a single-node client, or a Cluster client's node. */
export interface RedisNodeLike {
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
}

/** A duplicate connection, used in subscriber mode for invalidation messages. */
export interface RedisSubscriberLike {
  subscribe(...channels: string[]): Promise<unknown>;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
  readonly status: string;
}

/** A Lua script, run by its SHA1 and sent once more in full when the server does not know it. */
export class Script {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClientLike, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A restarted (or another cluster node's) server has an empty script cache.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** The ioredis constructor, loaded only when a tier is configured by URL: an optional peer. */
interface IoredisModule {
  new (url: string, options: Record<string, unknown>): RedisClientLike;
}

/**
 * A client for `url`, set for a cache tier: commands sent while it first connects wait for the
 * connection (under the tier's own timeout, which the tier starts when it sends a command: no
 * ioredis `commandTimeout`, whose clock starts in the client's queue), a failed connection
 * attempt fails them at once (`maxRetriesPerRequest: 0`), and it reconnects by itself with a
 * capped backoff. Its duplicates (the invalidation subscriber) share these settings.
 */
export function connectRedis(url: string, commandTimeoutMs: number): RedisClientLike {
  const Redis = loadIoredis();
  return new Redis(url, {
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1_000, commandTimeoutMs * 4),
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    // disconnect() ends the socket and destroys it after this many ms. ioredis starts that timer
    // even for a socket already closed (a client between reconnection attempts), where nothing
    // clears it: at its default of 2 s it kept a closed service's process alive for 2 s.
    // disconnect() runs only once a graceful QUIT is out of reach, so there is nothing to wait for.
    disconnectTimeout: 0,
  });
}

/**
 * Closes a connection the tier owns: QUIT when it is connected (the server answers and hangs up),
 * else `disconnect()`, which also cancels a pending reconnection. Resolves once ioredis's own
 * disconnect timer has fired, so nothing of the connection is left pending: a timer of 0 ms set
 * now runs after the one `disconnect()` just set (timers of one duration run in the order set).
 */
export async function closeConnection(
  connection: Pick<RedisClientLike, 'quit' | 'disconnect' | 'status'>,
): Promise<void> {
  if (connection.status === 'ready') {
    const quit = await connection.quit().then(
      () => true,
      () => false,
    );
    if (quit) return;
  }
  connection.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

function loadIoredis(): IoredisModule {
  const module = loadOptionalPeer<{ default?: IoredisModule } & IoredisModule>(
    'ioredis',
    'The Redis tier',
    'redis',
  );
  // ioredis is compiled from an ES module: its class is also its `default` export.
  return module.default ?? module;
}
