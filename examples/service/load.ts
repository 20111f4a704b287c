/**
 * Loads the example service and prints what it measured: `npm run load:service -- [options]`.
 * It starts its own PostgreSQL (initdb in a temporary folder) and redis-server, so a fault can
 * stop them freely, then the service, then autocannon with a fixed-seed Zipf mix of reads over
 * every tenant's items, a share of writes that invalidate, and checks on every answer.
 *
 *   --seconds 20        how long the measured load runs
 *   --warmup 10         seconds of the same load before, not counted (the caches fill)
 *   --connections 64    concurrent HTTP connections
 *   --workers 2         worker processes
 *   --cache redis       redis | memory | none | hand (the hand-written JSON key + lru-cache)
 *   --fault none        none | redis-stop | redis-kill | postgres-stop | worker-kill: for
 *                       --fault-seconds (10) from a third of the run
 *   --writes 0.01       share of requests that are writes
 *   --cache-size 50000  cache entries per worker (CACHE_SIZE)
 *   --ttl 60            seconds an item stays cached (CACHE_TTL_MS)
 *   --table             every row of the README's table instead of one run
 */
import autocannon from 'autocannon';
import { prng, zipfSampler as zipf } from '../../bench/traces';
import { startRedis, type RedisServer } from '../../test/cache/redis/redis-server';
import { startPostgres, type PostgresServer } from '../../test/examples/postgres-server';
import { launchService, type RunningService } from './launch';
import { tenantName } from './schema';

interface Run {
  seconds: number;
  warmup: number;
  connections: number;
  workers: number;
  cache: 'redis' | 'memory' | 'none' | 'hand';
  fault: 'none' | 'redis-stop' | 'redis-kill' | 'postgres-stop' | 'worker-kill';
  faultSeconds: number;
  writes: number;
  cacheSize: number;
  ttlSeconds: number;
}

const TENANTS = 1_000;
const ITEMS = 100;
/** Zipf exponent of the key mix: a few keys hot, a long tail. */
const ZIPF_S = 1.0;
const SEED = 42;

function parse(argv: readonly string[]): { run: Run; table: boolean } {
  const run: Run = {
    seconds: 20,
    warmup: 10,
    connections: 64,
    workers: 2,
    cache: 'redis',
    fault: 'none',
    faultSeconds: 10,
    writes: 0.01,
    cacheSize: 50_000,
    ttlSeconds: 60,
  };
  let table = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--table') table = true;
    else if (flag === '--seconds') run.seconds = Number(value);
    else if (flag === '--warmup') run.warmup = Number(value);
    else if (flag === '--connections') run.connections = Number(value);
    else if (flag === '--workers') run.workers = Number(value);
    else if (flag === '--cache') run.cache = value as Run['cache'];
    else if (flag === '--fault') run.fault = value as Run['fault'];
    else if (flag === '--fault-seconds') run.faultSeconds = Number(value);
    else if (flag === '--writes') run.writes = Number(value);
    else if (flag === '--cache-size') run.cacheSize = Number(value);
    else if (flag === '--ttl') run.ttlSeconds = Number(value);
    else throw new Error(`unknown option ${flag}`);
    if (flag !== '--table') i++;
  }
  return { run, table };
}

/** A rank's tenant and item: ranks are spread over tenants so every tenant has hot items. */
function keyOf(rank: number): { tenant: string; id: number } {
  // A multiplicative permutation of 0..TENANTS*ITEMS-1 (7919 is prime to 100,000).
  const slot = (rank * 7919) % (TENANTS * ITEMS);
  return { tenant: tenantName(slot % TENANTS), id: 1 + Math.floor(slot / TENANTS) };
}

/** What the workers' /metrics count for 'item', summed: series name => value. */
const SCRAPED = {
  hits: 'cache_hits_total',
  misses: 'cache_misses_total',
  remoteHits: 'cache_remote_hits_total',
  stale: 'cache_stale_served_total',
  breakerRefused: 'circuit_rejections_total',
} as const;

type Scraped = Record<keyof typeof SCRAPED, number>;

async function scrape(ports: readonly number[]): Promise<Scraped> {
  const sums = Object.fromEntries(Object.keys(SCRAPED).map((k) => [k, 0])) as Scraped;
  const entries = Object.entries(SCRAPED) as [keyof Scraped, string][];
  for (const port of ports) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (res) => res.text(),
      () => '',
    );
    for (const line of text.split('\n')) {
      if (!line.includes('operation_type="item"')) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      for (const [field, name] of entries) if (line.startsWith(`${name}{`)) sums[field] += value;
    }
  }
  return sums;
}

interface Checks {
  wrongTenant: number;
  answered: number;
  failed: number;
}

/** Runs the fault for its seconds, from a third of the run. */
async function inject(run: Run, servers: Servers, service: RunningService): Promise<void> {
  if (run.fault === 'none') return;
  await sleep((run.seconds * 1000) / 3);
  const faultMs = run.faultSeconds * 1000;
  if (run.fault === 'redis-stop') {
    servers.redis.pause();
    await sleep(faultMs);
    servers.redis.resume();
  } else if (run.fault === 'redis-kill') {
    await servers.redis.kill();
    await sleep(faultMs);
    await servers.redis.restart();
  } else if (run.fault === 'postgres-stop') {
    await servers.postgres.stop();
    await sleep(faultMs);
    await servers.postgres.start();
  } else {
    const health = (await fetch(`http://127.0.0.1:${service.workerPorts[0]}/health`).then((r) =>
      r.json(),
    )) as { pid: number };
    process.kill(health.pid, 'SIGKILL');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After the load: a write in one worker, then a read of it from every worker, for 50 keys. A read
 * that still returns the older version after 1 s is a lost invalidation.
 */
async function readsAfterWrites(service: RunningService, run: Run): Promise<number | null> {
  // The library's cache only; and only the Redis tier tells other workers of a write.
  if (run.cache === 'none' || run.cache === 'hand') return null;
  if (run.cache === 'memory' && run.workers > 1) return null;
  let lost = 0;
  const next = zipf(TENANTS * ITEMS, ZIPF_S, SEED + 1);
  for (let n = 0; n < 50; n++) {
    const { tenant, id } = keyOf(next());
    const ports = service.workerPorts;
    // Cache the item in every worker first.
    for (const port of ports) await get(port, tenant, id);
    const written = (await fetch(`http://127.0.0.1:${ports[n % ports.length]}/items/${id}`, {
      method: 'PUT',
      headers: { 'x-tenant': tenant, 'content-type': 'application/json' },
      body: JSON.stringify({ price: n }),
    }).then((r) => r.json())) as { version: number };
    for (const port of ports) {
      let seen = await get(port, tenant, id);
      for (let tries = 0; seen < written.version && tries < 50; tries++) {
        await sleep(20);
        seen = await get(port, tenant, id);
      }
      if (seen < written.version) lost++;
    }
  }
  return lost;
}

async function get(port: number, tenant: string, id: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/items/${id}`, {
    headers: { 'x-tenant': tenant },
  });
  const item = (await res.json()) as { version?: number };
  return item.version ?? -1;
}

interface Servers {
  postgres: PostgresServer;
  redis: RedisServer;
}

interface Row {
  run: Run;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  hitRatio: number | null;
  total: number;
  answered: number;
  wrongTenant: number;
  /** null where no tier tells the other workers (one worker, or no shared tier). */
  lostInvalidations: number | null;
  /** Expired entries served instead of an error (or while revalidating). */
  stale: number;
  /** Attempts the open 'postgres' breaker refused without asking PostgreSQL. */
  breakerRefused: number;
}

async function measure(run: Run, servers: Servers, index: number): Promise<Row> {
  const service = await launchService({
    WORKERS: String(run.workers),
    DATABASE_URL: servers.postgres.url,
    REDIS_URL: servers.redis.url,
    CACHE: run.cache,
    NAMESPACE: `load${index}`,
    TENANTS: String(TENANTS),
    ITEMS_PER_TENANT: String(ITEMS),
    CACHE_SIZE: String(run.cacheSize),
    CACHE_TTL_MS: String(run.ttlSeconds * 1000),
  });
  try {
    const next = zipf(TENANTS * ITEMS, ZIPF_S, SEED);
    const random = prng(SEED + 2);
    const checks: Checks = { wrongTenant: 0, answered: 0, failed: 0 };
    const load = (seconds: number): Promise<autocannon.Result> =>
      autocannon({
        url: `http://127.0.0.1:${service.port}`,
        connections: run.connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request, context: { tenant?: string; id?: number }) => {
              const { tenant, id } = keyOf(next());
              context.tenant = tenant;
              context.id = id;
              const write = random() < run.writes;
              return {
                ...request,
                method: write ? 'PUT' : 'GET',
                path: `/items/${id}`,
                headers: { 'x-tenant': tenant, 'content-type': 'application/json' },
                body: write ? JSON.stringify({ price: Math.floor(random() * 1000) }) : undefined,
              };
            },
            onResponse: (status, body, context: { tenant?: string; id?: number }) => {
              if (status !== 200) return void checks.failed++;
              const item = JSON.parse(body) as { tenant: string; id: number };
              if (item.tenant !== context.tenant || item.id !== context.id) checks.wrongTenant++;
              else checks.answered++;
            },
          },
        ],
      });
    if (run.warmup > 0) await load(run.warmup);
    Object.assign(checks, { wrongTenant: 0, answered: 0, failed: 0 });
    const before = await scrape(service.workerPorts);
    const [result] = await Promise.all([load(run.seconds), inject(run, servers, service)]);
    const after = await scrape(service.workerPorts);
    const lookups = after.hits - before.hits + (after.misses - before.misses);
    const lostInvalidations = await readsAfterWrites(service, run);
    return {
      run,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      // Lookups that did not reach PostgreSQL: the worker's own hits, and its misses Redis served.
      hitRatio:
        lookups > 0
          ? (after.hits - before.hits + (after.remoteHits - before.remoteHits)) / lookups
          : null,
      total: checks.answered + checks.failed + checks.wrongTenant + result.errors + result.timeouts,
      answered: checks.answered,
      wrongTenant: checks.wrongTenant,
      lostInvalidations,
      stale: after.stale - before.stale,
      breakerRefused: after.breakerRefused - before.breakerRefused,
    };
  } finally {
    await service.stop();
  }
}

function print(row: Row): void {
  const { run } = row;
  const availability = row.total > 0 ? (100 * row.answered) / row.total : 0;
  console.log(
    [
      run.cache.padEnd(6),
      `${run.workers}w`,
      run.fault.padEnd(13),
      `${Math.round(row.requestsPerSecond)} req/s`.padStart(12),
      `p50 ${row.p50} ms`.padStart(11),
      `p99 ${row.p99} ms`.padStart(11),
      `hit ${row.hitRatio === null ? 'n/a' : (100 * row.hitRatio).toFixed(1) + ' %'}`.padStart(10),
      `answered ${availability.toFixed(3)} % of ${row.total}`,
      `wrong ${row.wrongTenant}`,
      `lost invalidations ${row.lostInvalidations ?? 'n/a'}`,
      `stale served ${row.stale}`,
      `breaker refused ${row.breakerRefused}`,
    ].join('  '),
  );
}

/** The README's rows: each cache mode on 1 and 2 workers, then each fault on the Redis setup. */
function tableRuns(base: Run): Run[] {
  const runs: Run[] = [];
  for (const cache of ['none', 'hand', 'memory', 'redis'] as const) {
    for (const workers of [1, 2]) runs.push({ ...base, cache, workers, fault: 'none' });
  }
  for (const fault of ['redis-stop', 'redis-kill', 'postgres-stop', 'worker-kill'] as const) {
    runs.push({ ...base, cache: 'redis', workers: 2, fault, seconds: Math.max(base.seconds, 30) });
  }
  return runs;
}

async function main(): Promise<void> {
  const { run, table } = parse(process.argv.slice(2));
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  try {
    const runs = table ? tableRuns(run) : [run];
    console.log(
      `${runs.length} run(s), ${run.connections} connections, Zipf ${ZIPF_S} over ${TENANTS * ITEMS} items, ${run.writes * 100} % writes`,
    );
    for (const [index, each] of runs.entries())
      print(await measure(each, { postgres, redis }, index));
  } finally {
    await Promise.all([postgres.destroy(), redis.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
