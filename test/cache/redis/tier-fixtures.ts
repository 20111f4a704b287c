// Services on a suite's private Redis, for the suites that drive the tier from one process (each
// service its own connections: to Redis, two services are two processes).
import 'reflect-metadata';
import Redis from 'ioredis';
import { ExecutionUtils, type ExecutionUtilsOptions } from '../../../src';
import type { RedisServer } from './redis-server';

export class Tiers {
  server!: RedisServer;
  /** Bumped for each namespace made: every test gets its own. */
  namespaceCount = 0;
  private readonly services: ExecutionUtils[] = [];

  /** A service on the suite's Redis, in a namespace of the test's own unless `namespace` is given. */
  service(options: ExecutionUtilsOptions & { namespace?: string } = {}): ExecutionUtils {
    const utils = new ExecutionUtils({
      // Generous command timeouts: a loaded CI machine must not turn a hit into a miss here.
      redis: {
        url: this.server.url,
        commandTimeout: 1_000,
        breaker: { failures: 3, halfOpenAfter: 200 },
      },
      ...options,
      namespace: options.namespace ?? `t${this.namespaceCount}`,
    });
    this.services.push(utils);
    return utils;
  }

  /** Two processes' worth of services sharing one namespace. */
  pair(options: ExecutionUtilsOptions = {}): [ExecutionUtils, ExecutionUtils] {
    const namespace = `pair${++this.namespaceCount}`;
    return [this.service({ ...options, namespace }), this.service({ ...options, namespace })];
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.services.splice(0).map((s) => s.close()));
  }

  /** Waits until `count` services listen on `namespace`'s invalidation channel. */
  async subscribed(namespace: string, count: number): Promise<void> {
    const probe = new Redis(this.server.url, { lazyConnect: true });
    try {
      await within(2_000, async () => {
        const [, n] = (await probe.pubsub('NUMSUB', `${namespace}:{}invalidations`)) as [
          string,
          number,
        ];
        return n >= count;
      });
    } finally {
      probe.disconnect();
    }
  }
}

/** Polls `check` every 5 ms until it holds, for at most `ms`; returns how long it took. */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

/** A loader counting its runs, wrapped by `utils` as operation `name`. */
export function loader<T>(
  utils: ExecutionUtils,
  name: string,
  load: (id: number) => T | Promise<T>,
  cache: object = {},
): { get: (id: number) => Promise<T>; runs: () => number } {
  let runs = 0;
  const get = utils.wrap(
    async (id: number) => {
      runs++;
      return load(id);
    },
    { name, cache },
  );
  return { get, runs: () => runs };
}
