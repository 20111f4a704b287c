/** How the example service is run: every setting from the environment, with local defaults. */
export interface ServiceConfig {
  /** The port every worker serves the API on (shared: the cluster primary spreads connections). */
  port: number;
  /** Worker `i` (from 0) also serves everything on `port + 1 + i`: one worker, for tests and Prometheus. */
  workers: number;
  databaseUrl: string;
  /**
   * 'redis': in-process tier + Redis tier shared by the workers; 'memory': in-process only;
   * 'none': no cache (the policies stay); 'hand': the hand-written reference (JSON key + lru-cache).
   */
  cache: 'redis' | 'memory' | 'none' | 'hand';
  redisUrl: string;
  /** The Redis namespace: each run of a test or a load in its own. */
  namespace: string;
  tenants: number;
  itemsPerTenant: number;
  /** Cache entries per worker. */
  cacheSize: number;
  /** How long an item stays cached (the library's 'item' profile, and the hand-written cache). */
  cacheTtlMs: number;
}

const CACHE_MODES = ['redis', 'memory', 'none', 'hand'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be an integer >= 0, not ${text}`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const cache = env.CACHE ?? 'redis';
  if (!(CACHE_MODES as readonly string[]).includes(cache)) {
    throw new Error(`CACHE must be one of ${CACHE_MODES.join(', ')}, not ${cache}`);
  }
  return {
    port: integer(env, 'PORT', 3000),
    workers: Math.max(1, integer(env, 'WORKERS', 2)),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    cache: cache as ServiceConfig['cache'],
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    namespace: env.NAMESPACE ?? 'example-service',
    tenants: integer(env, 'TENANTS', 1_000),
    itemsPerTenant: integer(env, 'ITEMS_PER_TENANT', 100),
    cacheSize: integer(env, 'CACHE_SIZE', 50_000),
    cacheTtlMs: Math.max(1, integer(env, 'CACHE_TTL_MS', 60_000)),
  };
}
