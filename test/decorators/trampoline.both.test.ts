import 'reflect-metadata';
import { container } from 'tsyringe';
import { ExecutionUtils } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { createTrampoline } from '../../src/decorators/trampoline';

/** Stands in for the service: records each decorated call it is asked to run. */
class RecordingService {
  readonly calls: unknown[][] = [];
  invokeDecorated(policies: unknown, thisArg: unknown, args: unknown[]): unknown {
    this.calls.push([policies, thisArg, args]);
    return 'ran';
  }
}

afterEach(() => container.clearInstances());

describe('createTrampoline', () => {
  it('registers the record of the method it stands for', () => {
    const original = (a: number): number => a;
    const trampoline = createTrampoline(original, 'get');
    expect(policiesOf(trampoline)).toMatchObject({ original, methodName: 'get', trampoline });
  });

  it("keeps the method's name and length", () => {
    const trampoline = createTrampoline(function load(_a: number, _b: number) {}, 'load');
    expect(trampoline.name).toBe('load');
    expect(trampoline.length).toBe(2);
  });

  it('copies the Reflect metadata already on the method', () => {
    const original = (): number => 1;
    Reflect.defineMetadata('role', 'admin', original);
    expect(Reflect.getOwnMetadata('role', createTrampoline(original, 'm'))).toBe('admin');
  });

  it('runs each call through the service the container holds at that call, with this and the arguments', () => {
    const trampoline = createTrampoline(() => 1, 'get');
    const first = new RecordingService();
    const second = new RecordingService();
    const self = {};
    container.registerInstance(ExecutionUtils, first as unknown as ExecutionUtils);
    expect(trampoline.call(self, 1, 2)).toBe('ran');
    container.registerInstance(ExecutionUtils, second as unknown as ExecutionUtils);
    trampoline.call(self, 3);
    expect(first.calls).toEqual([[policiesOf(trampoline), self, [1, 2]]]);
    expect(second.calls).toEqual([[policiesOf(trampoline), self, [3]]]);
  });
});
