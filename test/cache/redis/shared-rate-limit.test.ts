import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { RateLimitedError, runWithContext, type ExecutionUtils } from '../../../src';
import { describeRedis, startRedis, type RedisServer } from './redis-server';
import { Tiers } from './tier-fixtures';
import type { RateLoop, RateSummary, WorkerInit } from './worker';
import { buildDirOf, buildWorker, startTeam, type Worker } from './worker-process';

// @RateLimit({ shared: true }): one budget for every process of a namespace, in Redis.
let server: RedisServer;
let workerScript: string;
const tiers = new Tiers();
const buildDir = buildDirOf('shared-rate-limit');
const workers: Worker[] = [];

/** A shared limit of `limit` per second as `name`, in `utils`. */
function limited(utils: ExecutionUtils, name: string, limit: number, extra = {}) {
  return utils.wrap(async () => 'ok', {
    name,
    rateLimit: { limit, intervalMs: 1_000, shared: true, ...extra },
  });
}

const outcomes = (calls: Promise<unknown>[]) =>
  Promise.allSettled(calls).then((settled) => ({
    admitted: settled.filter((s) => s.status === 'fulfilled').length,
    refused: settled.filter((s) => s.status === 'rejected' && s.reason instanceof RateLimitedError)
      .length,
  }));

function team(count: number, namespace: string, redis = {}): Promise<Worker[]> {
  const init: WorkerInit = {
    options: { namespace, redis: { url: server.url, commandTimeout: 1_000, ...redis } },
    methodMs: 0,
  };
  return startTeam(workerScript, count, init, workers);
}

const rateLoop = async (worker: Worker, loop: RateLoop): Promise<RateSummary> =>
  (await worker.request({ cmd: 'rateLoop', ...loop }, loop.ms + 10_000)).value as RateSummary;

describeRedis('@RateLimit({ shared: true }) on the Redis tier', () => {
  beforeAll(async () => {
    await Promise.all([
      startRedis().then((s) => (server = tiers.server = s)),
      buildWorker(buildDir).then((script) => (workerScript = script)),
    ]);
  }, 90_000);

  afterEach(async () => {
    server.resume();
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    await tiers.closeAll();
  });

  afterAll(async () => {
    await server.stop();
    rmSync(buildDir, { recursive: true, force: true });
  });

  it('holds one limit across processes', async () => {
    const [a, b] = tiers.pair();
    const inA = limited(a, 'geo', 5);
    const inB = limited(b, 'geo', 5);
    const result = await outcomes(Array.from({ length: 10 }, (_, i) => (i % 2 ? inA() : inB())));
    expect(result).toEqual({ admitted: 5, refused: 5 });
    await expect(inA()).rejects.toBeInstanceOf(RateLimitedError);
    expect(a.getStats('geo').rateLimited + b.getStats('geo').rateLimited).toBe(6);
  });

  it("keeps a shared budget through clearCache (the cache's keys go, not the limit's)", async () => {
    const [a] = tiers.pair();
    const inA = limited(a, 'geo', 2);
    await Promise.all([inA(), inA()]);
    await a.clearCache();
    // A fresh service in the same namespace: no refusal remembered in process.
    const again = limited(tiers.service({ namespace: `pair${tiers.namespaceCount}` }), 'geo', 2);
    await expect(again()).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("keeps one budget per tenant across processes with scope 'tenant'", async () => {
    const [a, b] = tiers.pair();
    const inA = limited(a, 'geo', 2, { scope: 'tenant' });
    const inB = limited(b, 'geo', 2, { scope: 'tenant' });
    const as = (userId: string, fn: () => Promise<string>) => runWithContext({ userId }, fn);
    const flood = await outcomes(Array.from({ length: 10 }, (_, i) => as('A', i % 2 ? inA : inB)));
    expect(flood.admitted).toBe(2);
    const other = await outcomes([as('B', inA), as('B', inB)]);
    expect(other).toEqual({ admitted: 2, refused: 0 });
  });

  it('falls back to its local share while Redis hangs, and no call waits past the command timeout', async () => {
    const utils = tiers.service({
      redis: {
        url: server.url,
        commandTimeout: 100,
        breaker: { failures: 2, halfOpenAfter: 5_000 },
      },
    });
    const get = limited(utils, 'geo', 100, { localLimit: 3 });
    await get();
    server.pause();
    const started = Date.now();
    const during = await outcomes(Array.from({ length: 10 }, () => get()));
    const slowest = Date.now() - started;
    expect(during).toEqual({ admitted: 3, refused: 7 });
    // One command timeout (100 ms) and the check phase after it, on a loaded machine.
    expect(slowest).toBeLessThan(400);
    expect(utils.getStats().remoteErrors).toBeGreaterThan(0);
    expect((await utils.health()).status).toBe('degraded');
  });

  it('admits 100/s +- 5% across 5 processes each offering 100/s for 10 s', async () => {
    const five = await team(5, 'rl-five');
    const loop: RateLoop = {
      limit: 100,
      intervalMs: 1_000,
      tenant: 't',
      perSecond: 100,
      ms: 10_000,
    };
    const summaries = await Promise.all(five.map((w) => rateLoop(w, loop)));
    const admitted = summaries.reduce((n, s) => n + s.admitted, 0);
    const perSecond = admitted / 10;
    console.log(
      `[shared-rate-limit] 5 processes x 100/s for 10 s, limit 100/s: ${admitted} admitted ` +
        `(${perSecond.toFixed(1)}/s), per process ${summaries.map((s) => s.admitted).join(' / ')}, ` +
        `slowest call ${Math.max(...summaries.map((s) => s.maxMs))} ms`,
    );
    expect(perSecond).toBeGreaterThanOrEqual(95);
    expect(perSecond).toBeLessThanOrEqual(105);
    // No window of 1 s, anywhere in the run, admitted more than the limit.
    const times = summaries.flatMap((s) => s.admittedAt).sort((x, y) => x - y);
    for (let i = 100; i < times.length; i++) {
      // Admission times are read in the workers after the reply: a few ms of slack.
      expect(times[i] - times[i - 100]).toBeGreaterThanOrEqual(1_000 - 20);
    }
    expect(summaries.every((s) => s.failed === 0)).toBe(true);
  }, 60_000);

  it("does not let tenant A's flood (10x its limit) reduce tenant B's calls", async () => {
    const five = await team(5, 'rl-tenants');
    const loop = { limit: 50, intervalMs: 1_000, scope: 'tenant' as const, ms: 3_000 };
    const [b, ...floods] = await Promise.all(
      five.map((w, i) =>
        rateLoop(w, {
          ...loop,
          ...(i === 0 ? { tenant: 'B', perSecond: 40 } : { tenant: 'A', perSecond: 125 }),
        }),
      ),
    );
    const flooded = floods.reduce((n, s) => n + s.admitted, 0);
    console.log(
      `[shared-rate-limit] tenant A offered 500/s (limit 50/s): ${flooded} admitted in 3 s; ` +
        `tenant B offered 40/s: ${b.admitted} admitted, ${b.refused} refused`,
    );
    expect(b.refused).toBe(0);
    expect(flooded).toBeLessThanOrEqual(150 + 5);
  }, 30_000);
});
