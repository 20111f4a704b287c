import { sleep, type Clock } from '../clock';
import { currentCancellation, getExecutionContext } from '../context';
import { signalOf } from '../cancellation';
import { InjectedFaultError } from '../errors';
import type { Probe } from '../observability/probe';
import type { FaultSpec } from '../resilience/fault-options';
import type { Stage } from './stage';

export interface FaultStageConfig {
  readonly operation: string;
  readonly spec: FaultSpec;
  readonly clock: Clock;
  readonly random: () => number;
  readonly probe: Probe;
  /** Whether the method returns a Promise (a delay needs one). */
  readonly returnsPromise: boolean | undefined;
}

/**
 * The innermost stage, there only while the operation has faults to inject: it delays and fails
 * attempts in place of the method, so the timeout, breaker, retry, stale windows and fallback see
 * them as the method's own. Draws: delayed first, then failed.
 */
export function faultStage(next: Stage, config: FaultStageConfig): Stage {
  const { operation, spec, clock, random, probe } = config;
  const failRate = spec.failRate ?? (spec.error === undefined ? 0 : 1);
  const latencyMs = spec.latencyMs ?? 0;
  const latencyRate = config.returnsPromise === true && latencyMs > 0 ? (spec.latencyRate ?? 1) : 0;
  const tenants = spec.tenants && new Set(spec.tenants);
  const failure = (): unknown => {
    probe.faultInjected('error', 0);
    const { error } = spec;
    if (error === undefined) return new InjectedFaultError(operation);
    return typeof error === 'function' ? (error as () => unknown)() : error;
  };
  return (thisArg, args) => {
    if (tenants && !tenants.has(getExecutionContext()?.userId ?? '')) return next(thisArg, args);
    const delayed = latencyRate > 0 && random() < latencyRate;
    const failed = failRate > 0 && random() < failRate;
    if (!delayed) {
      if (!failed) return next(thisArg, args);
      // In the method's shape: an async method rejects, a sync one throws.
      if (config.returnsPromise === true) return Promise.reject(failure());
      throw failure();
    }
    probe.faultInjected('latency', latencyMs);
    return sleep(clock, latencyMs, signalOf(currentCancellation())).then(() => {
      if (failed) throw failure();
      return next(thisArg, args);
    });
  };
}
