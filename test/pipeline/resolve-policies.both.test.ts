import { ExecutionUtils, Retry } from '../../src';
import { resolveBreaker, resolveBulkhead } from '../../src/pipeline/resolve-policies';
import { configErrorOf, rig } from '../helpers';

class Clamped {
  attempts = 0;

  @Retry({ attempts: 4, maxDelay: 500 })
  async belowInheritedMin(): Promise<string> {
    if (++this.attempts < 4) throw new Error('transient');
    return 'ok';
  }

  @Retry({ attempts: 3, minDelay: 20_000 })
  async aboveInheritedMax(): Promise<string> {
    if (++this.attempts < 3) throw new Error('transient');
    return 'ok';
  }

  @Retry({ attempts: 3, operation: 'tight' })
  async profiled(): Promise<string> {
    if (++this.attempts < 3) throw new Error('transient');
    return 'ok';
  }
}

describe('retry delay clamps across layers (defaults, decorator, profile)', () => {
  it('lets @Retry({ maxDelay: 500 }) lower the inherited minDelay instead of failing every call', async () => {
    const { waits } = rig();
    const svc = new Clamped();
    await expect(svc.belowInheritedMin()).resolves.toBe('ok');
    expect(waits).toEqual([500, 500, 500]);
  });

  it('lets a minDelay above the inherited maxDelay raise it', async () => {
    const { waits } = rig();
    await expect(new Clamped().aboveInheritedMax()).resolves.toBe('ok');
    expect(waits).toEqual([20_000, 20_000]);
  });

  it('lets a profile maxDelay below the service minDelay pass the constructor and the calls', async () => {
    const { waits } = rig({ operations: { tight: { retry: { maxDelay: 200 } } } });
    await expect(new Clamped().profiled()).resolves.toBe('ok');
    expect(waits).toEqual([200, 200]);
  });

  it('still refuses minDelay above maxDelay given together in one place', () => {
    expect(configErrorOf(() => Retry({ minDelay: 900, maxDelay: 100 })).option).toBe(
      '@Retry.minDelay',
    );
    expect(
      configErrorOf(
        () => new ExecutionUtils({ operations: { op: { retry: { minDelay: 9, maxDelay: 1 } } } }),
      ).option,
    ).toBe('operations.op.retry.minDelay');
  });

  it('validates every profile at construction, whatever its shape', () => {
    const bad = { retry: { attempts: 0 } };
    expect(configErrorOf(() => new ExecutionUtils({ operations: { op: bad } })).option).toBe(
      'operations.op.retry.attempts',
    );
    const notAnObject = { op: 5 } as unknown as Record<string, object>;
    expect(configErrorOf(() => new ExecutionUtils({ operations: notAnObject })).option).toBe(
      'operations.op',
    );
  });
});

describe('breaker and bulkhead precedence (one resolver)', () => {
  const options = new ExecutionUtils({
    operations: {
      guarded: { circuitBreaker: { consecutiveFailures: 7 }, bulkhead: { maxConcurrent: 3 } },
    },
  }).options;

  it('lets the profile of the breaker name beat the decorator, and keeps the rest', () => {
    const { name, settings } = resolveBreaker(
      { name: 'guarded', consecutiveFailures: 2, halfOpenAfter: 900 },
      'Svc.call',
      options,
    );
    expect(name).toBe('guarded');
    expect(settings).toEqual({ consecutiveFailures: 7, halfOpenAfter: 900 });
  });

  it('names a breaker after the operation without a name, and gives a bare name its profile', () => {
    expect(resolveBreaker({ consecutiveFailures: 2 }, 'Svc.call', options)).toEqual({
      name: 'Svc.call',
      shared: false,
      settings: { consecutiveFailures: 2 },
    });
    expect(resolveBreaker('guarded', 'Svc.call', options).settings).toEqual({
      consecutiveFailures: 7,
    });
  });

  it('lets the profile of the bulkhead name beat the decorator, and keeps the priority apart', () => {
    expect(
      resolveBulkhead(
        { name: 'guarded', maxConcurrent: 1, maxQueue: 5, priority: 2 },
        'x',
        options,
      ),
    ).toEqual({ name: 'guarded', priority: 2, settings: { maxConcurrent: 3, maxQueue: 5 } });
  });
});
