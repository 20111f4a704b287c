import { compilePipeline, type PipelineRuntime, type PipelineSpec } from './compile';
import { operationNameFor, type MethodPolicies } from '../decorators/method-policies';
import { OperationClaims } from './operation-claims';
import { declaredToReturnPromise } from './returns-promise';
import type { Stage } from './stage';

/**
 * One service's compiled pipelines: one per decorated method (or wrapped function), built on its
 * first call from the runtime the service lends at that moment, and dropped all at once when the
 * service changes something they were built from (`setOperationTimeout`, `close`).
 */
export class Pipelines {
  private compiled = new WeakMap<object, Stage>();
  private readonly claims = new OperationClaims();

  constructor(private readonly runtime: () => PipelineRuntime) {}

  /** Runs a decorated method's call through its pipeline. */
  runDecorated(policies: MethodPolicies, thisArg: unknown, args: unknown[]): unknown {
    // The method's record remembers the pipeline it ran last and whose it was: with one service
    // (nearly always), a call skips the WeakMap lookup.
    const last = policies.lastCompiled;
    if (last !== undefined && last.by === this.compiled) return last.stage(thisArg, args);
    const compiled = this.compiled.get(policies);
    if (compiled) {
      policies.lastCompiled = { by: this.compiled, stage: compiled };
      return compiled(thisArg, args);
    }
    const operation = (policies.operation ??= operationNameFor(policies, thisArg));
    const spec: PipelineSpec = {
      ...policies,
      operation: operation ?? policies.methodName,
      identity: policies,
      explicitName: (policies.cache?.name ?? policies.batch?.name) !== undefined,
      returnsPromise: declaredToReturnPromise(policies, thisArg),
    };
    // Until the declaring class is known, compile for this call only rather than remember a name.
    return (operation ? this.of(policies, spec) : this.compile(spec))(thisArg, args);
  }

  /** The pipeline of `spec`, compiled on first use and kept for `owner`. */
  of(owner: object, spec: PipelineSpec): Stage {
    let stage = this.compiled.get(owner);
    if (!stage) {
      stage = this.compile(spec);
      this.compiled.set(owner, stage);
    }
    return stage;
  }

  /** Forgets every compiled pipeline: the next call of each method compiles it afresh. */
  reset(): void {
    this.compiled = new WeakMap();
  }

  private compile(spec: PipelineSpec): Stage {
    return compilePipeline(spec, this.runtime(), this.claims);
  }
}
