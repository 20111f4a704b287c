import { createTrampoline } from '../../src/decorators/trampoline';
import { policiesOf, type MethodPolicies } from '../../src/decorators/method-policies';
import type { AnyMethod, PolicySet } from '../../src/decorators/types';
import type { PipelineRuntime } from '../../src/pipeline/compile';
import { Pipelines } from '../../src/pipeline/pipelines';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';

/** A service core, and a Pipelines over it that counts how often it compiles. */
function setup() {
  const core = new ServiceCore({ clock: new ManualClock() });
  let compiled = 0;
  const runtime = (): PipelineRuntime => {
    compiled++;
    return {
      options: core.options,
      clock: core.clock,
      probe: (operation) => core.probe(operation),
      retry: core.retryRuntime,
      operationTimeouts: core.operationTimeouts,
      faults: core.faults,
      policies: core.policies,
      cache: core.cache,
    };
  };
  return { pipelines: new Pipelines(runtime), core, compiled: () => compiled };
}

/** A decorated method's record: `method` declared as `name` on the prototype of class `Repo`. */
function declared(method: AnyMethod, policies: PolicySet = {}, name = 'get') {
  class Repo {}
  const trampoline = createTrampoline(method, name);
  Object.defineProperty(Repo.prototype, name, { value: trampoline });
  const record: MethodPolicies = Object.assign(policiesOf(trampoline)!, policies);
  return { record, instance: new Repo() };
}

describe('Pipelines', () => {
  it("runs a decorated method's call with its this and arguments", () => {
    const { pipelines } = setup();
    const { record, instance } = declared(function (this: unknown, n: number) {
      return [this, n];
    });
    expect(pipelines.runDecorated(record, instance, [3])).toEqual([instance, 3]);
  });

  it("compiles a method's pipeline on its first call only", () => {
    const { pipelines, compiled } = setup();
    const { record, instance } = declared(() => 1);
    pipelines.runDecorated(record, instance, []);
    pipelines.runDecorated(record, instance, []);
    expect(compiled()).toBe(1);
  });

  it('names the operation after the declaring class and the method', async () => {
    const { pipelines, core } = setup();
    const { record, instance } = declared(async () => 1, { cache: {} });
    await pipelines.runDecorated(record, instance, []);
    expect(record.operation).toBe('Repo.get');
    expect(core.stats.snapshot('Repo.get').misses).toBe(1);
  });

  it('compiles anew after reset', () => {
    const { pipelines, compiled } = setup();
    const { record, instance } = declared(() => 1);
    pipelines.runDecorated(record, instance, []);
    pipelines.reset();
    pipelines.runDecorated(record, instance, []);
    expect(compiled()).toBe(2);
  });

  it('compiles per call, under the bare method name, while the declaring class is unknown', () => {
    const { pipelines, compiled } = setup();
    const { record } = declared(() => 1);
    pipelines.runDecorated(record, undefined, []);
    pipelines.runDecorated(record, undefined, []);
    expect(compiled()).toBe(2);
    expect(record.operation).toBeUndefined();
  });

  it("runs each service's own pipeline when two services share a method", async () => {
    const a = setup();
    const b = setup();
    const { record, instance } = declared(async () => 1, { cache: {} });
    await a.pipelines.runDecorated(record, instance, []);
    await b.pipelines.runDecorated(record, instance, []);
    await a.pipelines.runDecorated(record, instance, []);
    expect(a.core.stats.snapshot('Repo.get')).toMatchObject({ misses: 1, hits: 1 });
    expect(b.core.stats.snapshot('Repo.get')).toMatchObject({ misses: 1, hits: 0 });
  });

  it('keeps one pipeline per owner with of()', () => {
    const { pipelines, compiled } = setup();
    const spec = {
      original: () => 1,
      operation: 'wrapped',
      identity: {},
      explicitName: true,
    };
    const owner = {};
    expect(pipelines.of(owner, spec)).toBe(pipelines.of(owner, spec));
    expect(compiled()).toBe(1);
    pipelines.of({}, spec);
    expect(compiled()).toBe(2);
  });
});
