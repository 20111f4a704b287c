import 'reflect-metadata';
import { container } from 'tsyringe';
import { Cached, ExecutionUtils } from '../src';
import { rig } from './helpers';

// Runs under both decorator standards. What needs legacy decorators (tsyringe constructor
// injection, legacy-form route decorators, design:* metadata) is in di/container.legacy.test.ts.

class Service {
  calls = 0;

  constructor(readonly utils: ExecutionUtils) {}

  @Cached()
  async load(id: string): Promise<string> {
    this.calls++;
    return id;
  }
}

describe('dependency injection', () => {
  afterEach(() => container.clearInstances());

  it('resolves ExecutionUtils from the container with defaults, as a singleton', () => {
    const a = container.resolve(ExecutionUtils);
    const b = container.resolve(ExecutionUtils);
    expect(a).toBeInstanceOf(ExecutionUtils);
    expect(a).toBe(b);
    expect(a.options.cacheSize).toBe(100);
  });

  it('keeps one default instance across calls after container.reset()', async () => {
    container.reset();
    const svc = new Service(new ExecutionUtils());
    await svc.load('x');
    await svc.load('x');
    expect(svc.calls).toBe(1);
    expect(container.resolve(ExecutionUtils).getStats().hits).toBe(1);
    expect(container.resolve(ExecutionUtils)).toBe(container.resolve(ExecutionUtils));
  });
});

describe('following the registration from call to call', () => {
  class Counted {
    @Cached()
    async get(): Promise<number> {
      return 1;
    }
  }

  it('goes back to the default singleton after clearInstances() drops a registered instance', async () => {
    const { utils } = rig();
    await new Counted().get();
    container.clearInstances();
    await new Counted().get();
    expect(utils.getStats().misses).toBe(1);
    expect(container.resolve(ExecutionUtils).getStats().misses).toBe(1);
  });

  it('resolves a transient registration on every call', async () => {
    const made: ExecutionUtils[] = [];
    container.register(ExecutionUtils, {
      useFactory: () => {
        const utils = new ExecutionUtils();
        made.push(utils);
        return utils;
      },
    });
    await new Counted().get();
    await new Counted().get();
    expect(made).toHaveLength(2);
    container.reset();
  });

  it('sees a new registerInstance on the very next call', async () => {
    const first = rig().utils;
    const counted = new Counted();
    await counted.get();
    await counted.get();
    const second = rig().utils;
    await counted.get();
    expect(first.getStats()).toMatchObject({ misses: 1, hits: 1 });
    expect(second.getStats()).toMatchObject({ misses: 1, hits: 0 });
  });
});
