import { launchService, type RunningService } from '../../examples/service/launch';
import { startRedis, type RedisServer } from '../cache/redis/redis-server';
import { startPostgres, type PostgresServer } from './postgres-server';

/** The example service as its suites run it, with the servers under it. */
export interface ServiceUnderTest {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly service: RunningService;
  /** Stops the service, then its servers. */
  stop(): Promise<void>;
}

/**
 * Two workers over a PostgreSQL and a redis-server of the suite's own (so it may stop them),
 * with the Redis tier on and a small seed (20 tenants of 50 items); `env` adds to or overrides it.
 */
export async function startServiceUnderTest(
  namespace: string,
  env: Record<string, string> = {},
): Promise<ServiceUnderTest> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const stopServers = async (): Promise<void> => {
    await Promise.all([postgres.destroy(), redis.stop()]);
  };
  let service: RunningService;
  try {
    service = await launchService({
      WORKERS: '2',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      CACHE: 'redis',
      NAMESPACE: namespace,
      TENANTS: '20',
      ITEMS_PER_TENANT: '50',
      ...env,
    });
  } catch (error) {
    await stopServers();
    throw error;
  }
  return {
    postgres,
    redis,
    service,
    async stop() {
      await service.stop();
      await stopServers();
    },
  };
}
