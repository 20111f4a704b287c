import { Redis } from 'ioredis';
import { ExecutionUtils, runWithContext } from '../../src';
import type { Esm } from '../esm';
import { find, measureCases, type Case } from '../harness';
import { ratio, target, type Budget, type Row } from '../model';
import { startPrivateRedis, type PrivateRedis } from '../redis-server';
import {
  CTX,
  makeResult,
  N,
  peerKey,
  Plain,
  Q,
  QUERY,
  T,
  TTL_MS,
  U,
  type Args,
  type GetFn,
} from '../workload';
import { mismatch, tick, type Scenario } from './scenario';

const MEMORY = 'ours: hit, in-memory cache only (`wrap`, as B1)';
const L1 = 'ours: L1 hit, Redis tier configured (`wrap`)';
const L2 =
  'ours: L2 hit: l1.size 1, keys n=42/43 alternating, so each call is L1 miss + Redis claim script + decode + L1 fill';
const BENTO_L1 = 'bentocache memory L1 + redis L2: L1 hit (getOrSet)';
const BENTO_L1_RAW =
  'bentocache memory L1 (serialize: false) + redis L2: L1 hit (getOrSet; key never refilled from L2)';
const BENTO_L2 =
  'bentocache L2 hit: L1 maxItems 1, keys n=42/43 alternating (L1 miss + Redis GET + deserialize + L1 set)';

/** The rows of each tier, compared with bentocache at the same tier. */
const L1_ROWS = [MEMORY, L1, BENTO_L1, BENTO_L1_RAW];
const L2_ROWS = [L2, BENTO_L2];

/**
 * R: the two-tier cache. An L1 hit of a service with a Redis tier against the same hit without
 * one (the tier must cost nothing on a hit), and an L2 hit (the L1 misses, Redis has the entry),
 * each beside bentocache with a memory L1 and a Redis L2. Runs against a private redis-server
 * on a free port, stopped at the end; skipped without redis-server.
 */
export const redisTier: Scenario = {
  id: 'R',
  title: 'two-tier cache: L1 and L2 (Redis) hits',
  async run({ esm, budget }) {
    const started = await startPrivateRedis();
    if ('missing' in started) {
      return {
        rows: [],
        targets: [],
        problems: [],
        notes: ['R: skipped: redis-server is not installed (not on PATH).'],
      };
    }
    if ('error' in started) {
      return { rows: [], targets: [], problems: [`R: ${started.error}`], notes: [] };
    }
    const { server } = started;
    const problems: string[] = [];
    const closers: (() => unknown)[] = [];
    try {
      const { rows, version } = await measure(esm, server, budget, problems, closers);
      const targets = [
        target(
          'R',
          'L1 hit with Redis / in-memory hit',
          ratio(find(rows, L1), find(rows, MEMORY)),
          '<=',
          1.1,
        ),
      ];
      return {
        rows,
        targets,
        problems,
        notes: [
          `R: a private redis-server ${version} on 127.0.0.1 (no persistence); "x best peer" compares each row with bentocache at the same tier (L1 rows with its faster L1 hit, L2 rows with its L2 hit). bentocache's L1 holds JSON text by default (parsed on every hit); with \`serialize: false\` an L2 refill breaks its L1 in 1.6.1 (bentocache#111), so its L2 row uses the default.`,
        ],
      };
    } finally {
      await Promise.allSettled(closers.map(async (close) => close()));
      await server.stop();
      const open = await openSockets();
      if (open) problems.push(`R: ${open} socket(s) still open after closing every client`);
    }
  },
};

async function measure(
  esm: Esm,
  server: PrivateRedis,
  budget: Budget,
  problems: string[],
  closers: (() => unknown)[],
): Promise<{ rows: Row[]; version: string }> {
  const namespace = `bench-r-${process.pid}-${Date.now()}`;
  // A command timeout of 1 s instead of 100 ms: the same one timer per command, but a GC pause
  // on a noisy machine does not turn a hit into a miss (and the row into a problem).
  const redis = { url: server.url, commandTimeout: 1_000 };
  const memory = new ExecutionUtils({ cacheSize: 10_000 });
  const l1 = new ExecutionUtils({ cacheSize: 10_000, redis, namespace: `${namespace}-l1` });
  const l2 = new ExecutionUtils({ redis, namespace: `${namespace}-l2`, l1: { size: 1 } });
  closers.push(
    () => memory.close(),
    () => l1.close(),
    () => l2.close(),
  );
  const ours = [memory, l1, l2].map((utils) => {
    const plain = new Plain();
    // An async function: the service knows from the first call that it may wait for Redis.
    const body: GetFn = async (u, t, q, n, query) => plain.get(u, t, q, n, query);
    return { utils, plain, get: utils.wrap(body, { name: 'Svc.get', cache: true }) };
  });
  const [oursMemory, oursL1, oursL2] = ours;
  const bentoL1 = bentoTwoTier(esm, server, 10_000, true, `${namespace}-bento-l1`);
  const bentoL1Raw = bentoTwoTier(esm, server, 10_000, false, `${namespace}-bento-l1-raw`);
  const bentoL2 = bentoTwoTier(esm, server, 1, true, `${namespace}-bento-l2`);
  closers.push(
    () => bentoL1.bento.disconnect(),
    () => bentoL1Raw.bento.disconnect(),
    () => bentoL2.bento.disconnect(),
  );
  const info = await bentoL1.connection.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '';

  const expected = (n: number) => makeResult(U, Q, n, QUERY);
  const check = (name: string, actual: unknown, n: number): void => {
    const problem = mismatch(actual, expected(n));
    if (problem) problems.push(`R / ${name}: ${problem}`);
  };
  await runWithContext(CTX, async () => {
    // Pre-warm: the one key of the L1 rows; both keys of the L2 rows (each runs once, then is
    // written to Redis), then a few alternating calls, which must come from Redis.
    for (const [name, call] of [
      [MEMORY, oursMemory.get],
      [L1, oursL1.get],
      [BENTO_L1, bentoL1.call],
      [BENTO_L1_RAW, bentoL1Raw.call],
    ] as const) {
      await call(U, T, Q, N, QUERY);
      check(name, await call(U, T, Q, N, QUERY), N);
    }
    for (const [name, call] of [
      [L2, oursL2.get],
      [BENTO_L2, bentoL2.call],
    ] as const) {
      await call(U, T, Q, N, QUERY);
      await call(U, T, Q, N + 1, QUERY);
      await tick();
      for (let i = 0; i < 4; i++) check(name, await call(U, T, Q, N + (i % 2), QUERY), N + (i % 2));
    }
  });
  // bentocache's L2 hits, seen once here (a listener on the measured path would slow it down).
  const layers: string[] = [];
  const onHit = ({ layer }: { layer?: string }): void => void layers.push(layer ?? '?');
  bentoL2.bento.on('cache:hit', onHit);
  await runWithContext(CTX, async () => {
    for (let i = 0; i < 4; i++) await bentoL2.call(U, T, Q, N + (i % 2), QUERY);
  });
  bentoL2.bento.off('cache:hit', onHit);
  if (layers.join() !== 'l2,l2,l2,l2') {
    problems.push(`R / ${BENTO_L2}: hits came from layers [${layers.join()}], not l2 only`);
  }

  const l2Before = oursL2.utils.getStats().remoteHits;
  let l2Calls = 0;
  // The warm-up's last call was n=43, now in the L1: the measured calls start at n=42.
  let oursFlip = 1;
  let bentoFlip = 1;
  const onlyOnce = (executions: () => number, want: number) => (): string | undefined =>
    executions() === want ? undefined : `the method ran ${executions()} times, not ${want}`;
  const cases: Case[] = [
    {
      name: MEMORY,
      kind: 'ours',
      fn: async () => void (await oursMemory.get(U, T, Q, N, QUERY)),
      verify: onlyOnce(() => oursMemory.plain.executions, 1),
    },
    {
      name: L1,
      kind: 'ours',
      fn: async () => void (await oursL1.get(U, T, Q, N, QUERY)),
      verify: () => {
        const { remoteHits, remoteMisses } = oursL1.utils.getStats();
        if (remoteHits !== 0 || remoteMisses !== 1) {
          return `reached Redis: ${remoteHits} remote hit(s), ${remoteMisses} remote miss(es)`;
        }
        return onlyOnce(() => oursL1.plain.executions, 1)();
      },
    },
    {
      name: L2,
      kind: 'ours',
      fn: async () => {
        await oursL2.get(U, T, Q, N + (oursFlip ^= 1), QUERY);
        l2Calls++;
      },
      verify: () => {
        const { remoteHits, remoteErrors } = oursL2.utils.getStats();
        if (remoteHits - l2Before !== l2Calls || remoteErrors) {
          return `${remoteHits - l2Before} Redis hits (${remoteErrors} errors) for ${l2Calls} calls`;
        }
        return onlyOnce(() => oursL2.plain.executions, 2)();
      },
    },
    {
      name: BENTO_L1,
      kind: 'peer',
      fn: async () => void (await bentoL1.call(U, T, Q, N, QUERY)),
      verify: onlyOnce(() => bentoL1.plain.executions, 1),
    },
    {
      name: BENTO_L1_RAW,
      kind: 'peer',
      fn: async () => void (await bentoL1Raw.call(U, T, Q, N, QUERY)),
      verify: onlyOnce(() => bentoL1Raw.plain.executions, 1),
    },
    {
      name: BENTO_L2,
      kind: 'peer',
      fn: async () => void (await bentoL2.call(U, T, Q, N + (bentoFlip ^= 1), QUERY)),
      verify: onlyOnce(() => bentoL2.plain.executions, 2),
    },
  ];
  const rows = await measureCases(esm, 'R', cases, budget, CTX, problems);
  return { rows: perTierRatios(rows), version };
}

/**
 * bentocache with a memory L1 of `maxItems` and a Redis L2 via ioredis. `serialize`: whether the
 * L1 holds JSON text (bentocache's default) or the objects. bentocache 1.6.1 refills the L1 from
 * the L2 with JSON text even when `serialize` is false, and its next L1 read then throws
 * (bentocache issue #111): the L2 row needs the default, so both L1 variants are measured.
 */
function bentoTwoTier(
  esm: Esm,
  server: PrivateRedis,
  maxItems: number,
  serialize: boolean,
  prefix: string,
) {
  const connection = new Redis(server.port, '127.0.0.1');
  const bento = new esm.BentoCache({
    default: 'tiered',
    stores: {
      tiered: esm
        .bentostore()
        .useL1Layer(esm.memoryDriver({ maxItems, serialize }))
        .useL2Layer(esm.redisDriver({ connection, prefix })),
    },
  });
  const plain = new Plain();
  const call: GetFn = (...args: Args) =>
    bento.getOrSet({ key: peerKey(args), factory: () => plain.get(...args), ttl: TTL_MS });
  return { bento, plain, call, connection };
}

/** "x best peer" within each tier: L1 rows against bentocache's L1 hit, L2 rows its L2 hit. */
function perTierRatios(rows: Row[]): Row[] {
  const l1Peers = [find(rows, BENTO_L1), find(rows, BENTO_L1_RAW)].filter((v) => v !== undefined);
  const bentoL1 = l1Peers.length ? Math.min(...l1Peers) : undefined;
  const bentoL2 = find(rows, BENTO_L2);
  return rows.map((r) => ({
    ...r,
    vsBestPeer: L1_ROWS.includes(r.name)
      ? ratio(r.medianNs, bentoL1)
      : L2_ROWS.includes(r.name)
        ? ratio(r.medianNs, bentoL2)
        : r.vsBestPeer,
  }));
}

/** TCP sockets still open, after giving closing ones up to a second. */
async function openSockets(): Promise<number> {
  const count = (): number =>
    process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPWrap').length;
  for (let i = 0; i < 50 && count() > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return count();
}
