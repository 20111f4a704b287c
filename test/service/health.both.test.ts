import { RESERVED_BYTES_PER_SLOT } from '../../src/cache/memory-store';
import { ServiceCache } from '../../src/cache/service-cache';
import { health, memoryStats } from '../../src/service/health';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';
import { VERSION } from '../../src/version';
import { FakeRemote } from '../pipeline/support';

function core(cacheSize?: number): ServiceCore {
  return new ServiceCore({ clock: new ManualClock(), cacheSize });
}

describe('health', () => {
  it('reports a live service healthy, with its version and the memory tier up', async () => {
    const c = core();
    c.store?.set('k', 1);
    const report = await health(c);
    expect(report).toMatchObject({
      status: 'healthy',
      cacheSize: 1,
      version: VERSION,
      tiers: { memory: { status: 'up', size: 1 } },
    });
    expect(report.error).toBeUndefined();
    expect(report.tiers.redis).toBeUndefined();
  });

  it('reports a closed service unhealthy, saying why', async () => {
    const c = core();
    await c.close();
    const report = await health(c);
    expect(report.status).toBe('unhealthy');
    expect(report.error).toBe('ExecutionUtils is closed');
    expect(report.tiers.memory.status).toBe('off');
  });

  it('reports the memory tier off when caching is off', async () => {
    const report = await health(core(0));
    expect(report.tiers.memory).toEqual({ status: 'off', size: 0 });
  });

  it("adds the shared tier's own health, with the errors counted so far", async () => {
    const c = core();
    // A shared tier that answers at once, in place of Redis.
    (c as { cache: ServiceCache }).cache = new ServiceCache(c.store!, new FakeRemote());
    c.stats.total.remoteErrors = 3;
    const report = await health(c);
    expect(report.tiers.redis).toEqual({
      status: 'up',
      latencyMs: 1,
      breaker: 'closed',
      errors: 3,
    });
  });
});

describe('memoryStats', () => {
  it('reports the size, the bound and the slots reserved up front', () => {
    const c = core(50);
    c.store?.set('a', 'x', 1_000);
    c.store?.set('b', 'y', 0);
    const stats = memoryStats(c);
    expect(stats).toMatchObject({
      cacheSize: 2,
      maxCacheSize: 50,
      reservedBytes: 50 * RESERVED_BYTES_PER_SLOT,
      ttlEntries: 1,
    });
    expect(stats.cacheMemoryBytes).toBeGreaterThan(0);
  });

  it('reports zeros when caching is off', () => {
    expect(memoryStats(core(0))).toEqual({
      cacheSize: 0,
      maxCacheSize: 0,
      cacheMemoryBytes: 0,
      reservedBytes: 0,
      ttlEntries: 0,
      admissionBytes: 0,
    });
  });
});
