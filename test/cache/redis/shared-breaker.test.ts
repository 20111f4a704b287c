import 'reflect-metadata';
import {
  CircuitOpenError,
  ConfigError,
  ExecutionUtils,
  type ExecutionUtils as Utils,
} from '../../../src';
import { rmSync } from 'node:fs';
import { describeRedis, startRedis, type RedisServer } from './redis-server';
import { Tiers, within } from './tier-fixtures';
import type { BreakerLoop, BreakerSummary, WorkerInit } from './worker';
import { buildDirOf, buildWorker, startTeam, type Worker } from './worker-process';

// @CircuitBreaker({ shared: true }): one process opening the breaker stops all of them, and one
// of them sends the half-open trial. Three services with their own connections: three processes
// as far as Redis can tell.
let server: RedisServer;
let workerScript: string;
const tiers = new Tiers();
const buildDir = buildDirOf('shared-breaker');
const workers: Worker[] = [];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A dependency that fails while `down`, recording when each call reached it. */
class Dependency {
  down = false;
  readonly calls: { at: number; by: number }[] = [];

  async charge(by: number): Promise<string> {
    this.calls.push({ at: Date.now(), by });
    if (this.down) throw new Error('the dependency is down');
    return 'charged';
  }

  since(at: number): { at: number; by: number }[] {
    return this.calls.filter((c) => c.at >= at);
  }
}

describeRedis('@CircuitBreaker({ shared: true }) on the Redis tier', () => {
  beforeAll(async () => {
    await Promise.all([
      startRedis().then((s) => (server = tiers.server = s)),
      buildWorker(buildDir).then((script) => (workerScript = script)),
    ]);
  }, 90_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    await tiers.closeAll();
  });

  afterAll(async () => {
    await server.stop();
    rmSync(buildDir, { recursive: true, force: true });
  });

  it('holds across 3 real processes: <= 3 calls reach a dead dependency after the first opening, one trial per period', async () => {
    const init: WorkerInit = {
      options: {
        namespace: 'breaker-processes',
        redis: { url: server.url, commandTimeout: 1_000 },
      },
      methodMs: 0,
    };
    const three = await startTeam(workerScript, 3, init, workers);
    await tiers.subscribed('breaker-processes', 3);
    const loop: BreakerLoop = {
      dieAt: Date.now() + 300,
      consecutiveFailures: 3,
      halfOpenAfter: 300,
      everyMs: 5,
      ms: 1_500,
    };
    const summaries = (
      await Promise.all(three.map((w) => w.request({ cmd: 'breakerLoop', ...loop }, 20_000)))
    ).map((reply) => reply.value as BreakerSummary);
    const firstOpen = Math.min(...summaries.flatMap((s) => s.opened));
    const after = summaries.map((s) => s.calls.filter((at) => at > firstOpen));
    // The calls after the first opening, until every process has heard of it: at most one each.
    const stragglers = after.map((calls) => calls.filter((at) => at < firstOpen + 100).length);
    // Later calls are trials: all from one process, at least one open period apart.
    const trials = after.flatMap((calls, by) =>
      calls.filter((at) => at >= firstOpen + 100).map((at) => ({ at, by })),
    );
    console.log(
      `[shared-breaker] 3 real processes: ${stragglers.join(' + ')} calls reached the dead ` +
        `dependency within 100 ms of the first opening; then ${trials.length} trial(s), ` +
        `from process(es) ${[...new Set(trials.map((t) => t.by + 1))].join(', ')}`,
    );
    expect(stragglers.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3);
    expect(new Set(trials.map((t) => t.by)).size).toBeLessThanOrEqual(1);
    const times = trials.map((t) => t.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(290);
    expect(trials.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('stops every process once one opens it, and sends one half-open trial across them', async () => {
    const namespace = `breaker${++tiers.namespaceCount}`;
    const services = [0, 1, 2].map(() => tiers.service({ namespace }));
    await tiers.subscribed(namespace, 3);
    const dependency = new Dependency();
    const opened: number[] = [];
    const calls = services.map((utils, by) => {
      utils.on('breakerStateChange', ({ to }) => to === 'open' && opened.push(Date.now()));
      return utils.wrap(() => dependency.charge(by), {
        name: 'Payments.charge',
        breaker: { consecutiveFailures: 3, halfOpenAfter: 300, shared: true },
      });
    });
    let running = true;
    const loops = calls.map(async (call) => {
      while (running) {
        await call().catch(() => {});
        await sleep(5);
      }
    });
    await sleep(100);
    dependency.down = true;
    await within(2_000, () => opened.length > 0);
    const firstOpen = Math.min(...opened);
    // Every process stops within a message's trip; the calls already on their way get through.
    await sleep(250);
    const afterOpen = dependency.since(firstOpen + 1);
    expect(afterOpen.length).toBeLessThanOrEqual(3);
    // Past each open period: one trial (it fails, the dependency is still down), then open
    // again: every trial comes from the one process holding the claim, one per period.
    const periodStart = Date.now();
    await sleep(700);
    const trials = dependency.since(periodStart);
    expect(trials.length).toBeGreaterThanOrEqual(1);
    expect(new Set(trials.map((t) => t.by)).size).toBe(1);
    for (let i = 1; i < trials.length; i++) {
      expect(trials[i].at - trials[i - 1].at).toBeGreaterThanOrEqual(300 - 10);
    }
    // The dependency recovers: the next trial closes the breaker everywhere.
    dependency.down = false;
    await within(
      2_000,
      () => new Set(dependency.since(Date.now() - 50).map((c) => c.by)).size === 3,
    );
    running = false;
    await Promise.all(loops);
    console.log(
      `[shared-breaker] 3 processes: ${afterOpen.length} calls reached the dependency after the ` +
        `first opening; ${trials.length} trial(s) in 700 ms of 300 ms open periods, all from one process`,
    );
  }, 20_000);

  it('refuses calls in a process that has not used the breaker yet, once another opened it', async () => {
    const [a, b] = tiers.pair();
    const dependency = new Dependency();
    dependency.down = true;
    const breaker = { consecutiveFailures: 1, halfOpenAfter: 10_000, shared: true };
    const inA = a.wrap(() => dependency.charge(0), { name: 'Payments.charge', breaker });
    await tiers.subscribed(`pair${tiers.namespaceCount}`, 2);
    await expect(inA()).rejects.toThrow('down');
    // The message's trip.
    await sleep(50);
    const inB = b.wrap(() => dependency.charge(1), { name: 'Payments.charge', breaker });
    await expect(inB()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(dependency.calls.filter((c) => c.by === 1)).toHaveLength(0);
  });

  it('opens in a process started after another opened it: it reads the open breaker from Redis', async () => {
    const [a] = tiers.pair();
    const namespace = `pair${tiers.namespaceCount}`;
    const dependency = new Dependency();
    dependency.down = true;
    // Three failures to open: the late process's own first failure cannot open it.
    const breaker = { consecutiveFailures: 3, halfOpenAfter: 10_000, shared: true };
    const inA = a.wrap(() => dependency.charge(0), { name: 'Payments.charge', breaker });
    for (let i = 0; i < 3; i++) await expect(inA()).rejects.toThrow('down');
    expect(a.getCircuitState('Payments.charge')).toBe('open');
    // Started now: the opening was published before it listened, so it never hears of it. Its
    // first call makes its breaker, which asks Redis; that call goes ahead meanwhile.
    const late = tiers.service({ namespace });
    const inLate = late.wrap(() => dependency.charge(1), { name: 'Payments.charge', breaker });
    await expect(inLate()).rejects.toThrow('down');
    await within(2_000, () => late.getCircuitState('Payments.charge') === 'open');
    await expect(inLate()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(dependency.calls.filter((c) => c.by === 1)).toHaveLength(1);
  });

  it('stays closed, and says why, when Redis cannot tell whether another process has it open', async () => {
    // Nothing listens on port 1: the read of the trial's claim fails at once.
    const utils = new ExecutionUtils({ redis: { url: 'redis://127.0.0.1:1' } });
    const errors: string[] = [];
    utils.on('remoteError', ({ command }) => errors.push(command));
    const call = utils.wrap(async () => 'charged', {
      name: 'Payments.charge',
      breaker: { shared: true },
    });
    await expect(call()).resolves.toBe('charged');
    await within(2_000, () => errors.includes('breaker-trial'));
    expect(utils.getCircuitState('Payments.charge')).toBe('closed');
    await expect(call()).resolves.toBe('charged');
    await utils.close();
  });

  it('needs the Redis tier', async () => {
    const utils: Utils = new ExecutionUtils();
    const call = utils.wrap(async () => 1, {
      name: 'x',
      breaker: { shared: true },
    });
    await expect(call()).rejects.toBeInstanceOf(ConfigError);
  });
});
