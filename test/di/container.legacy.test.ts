import 'reflect-metadata';
import { container, injectable } from 'tsyringe';
import { Cached, ExecutionUtils, Retry } from '../../src';
import { rig } from '../helpers';

// Legacy decorators only: tsyringe constructor injection needs the design:paramtypes metadata,
// the route decorators below are written in the legacy (target, key, descriptor) form, and
// design:* metadata is emitted only with experimentalDecorators + emitDecoratorMetadata. The
// rest of the container tests run under both standards, in ../di.both.test.ts.

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

describe('dependency injection (legacy decorators)', () => {
  afterEach(() => container.clearInstances());

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

  it('keeps Reflect metadata other decorators put on the method, above and below ours', () => {
    expect(Reflect.getOwnMetadata('route:path', Routed.prototype.get)).toBe('/get');
    expect(Reflect.getOwnMetadata('route:verb', Routed.prototype.get)).toBe('GET');
    expect(Reflect.getMetadata('route:path', Routed.prototype.post)).toBe('/first');
  });

  it('keeps the design:* metadata TypeScript emits for the method', () => {
    expect(Reflect.getMetadata('design:returntype', Routed.prototype, 'get')).toBe(Promise);
  });
});
