import 'reflect-metadata';
import { container, injectable } from 'tsyringe';
import { Cached, ExecutionUtils, Retry } from '../../src';
import { rig } from '../helpers';

@injectable()
class InjectedService {
  calls = 0;

  constructor(readonly utils: ExecutionUtils) {}

  @Cached()
  async load(id: string): Promise<string> {
    this.calls++;
    return id;
  }
}

// What a NestJS-style route decorator does: metadata on the method function itself.
const route =
  (path: string): MethodDecorator =>
  (_target, _key, descriptor) => {
    Reflect.defineMetadata('route:path', path, descriptor.value as object);
  };

const verb =
  (name: string): MethodDecorator =>
  (_target, _key, descriptor) => {
    Reflect.defineMetadata('route:verb', name, descriptor.value as object);
  };

class Routed {
  @verb('GET')
  @Cached()
  @route('/get')
  async get(): Promise<string> {
    return 'routed';
  }

  @Retry({ attempts: 1 })
  @route('/first')
  async post(): Promise<string> {
    return 'posted';
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

  it('constructor-injects the registered instance', () => {
    const { utils } = rig({ cacheSize: 7 });
    const svc = container.resolve(InjectedService);
    expect(svc.utils).toBe(utils);
  });

  it('routes decorated calls through the registered instance, for resolved and new-ed objects', async () => {
    const { utils } = rig();
    const resolved = container.resolve(InjectedService);
    const constructed = new InjectedService(utils);
    await resolved.load('a');
    await constructed.load('a');
    expect(utils.getStats()).toMatchObject({ misses: 1, hits: 1 });
  });

  it('keeps one default instance across calls after container.reset()', async () => {
    container.reset();
    const svc = new InjectedService(new ExecutionUtils());
    await svc.load('x');
    await svc.load('x');
    expect(svc.calls).toBe(1);
    expect(container.resolve(ExecutionUtils).getStats().hits).toBe(1);
    expect(container.resolve(ExecutionUtils)).toBe(container.resolve(ExecutionUtils));
  });

  it('keeps Reflect metadata other decorators put on the method, above and below ours', () => {
    expect(Reflect.getOwnMetadata('route:path', Routed.prototype.get)).toBe('/get');
    expect(Reflect.getOwnMetadata('route:verb', Routed.prototype.get)).toBe('GET');
    expect(Reflect.getMetadata('route:path', Routed.prototype.post)).toBe('/first');
  });

  it('keeps the design:* metadata TypeScript emits for the method', () => {
    expect(Reflect.getMetadata('design:returntype', Routed.prototype, 'get')).toBe(Promise);
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
