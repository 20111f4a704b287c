import { currentCancellation, currentSignal } from '../context';
import type { AsyncMethod } from '../decorators/types';
import { resolveRetryPolicy } from '../pipeline/resolve-policies';
import { retryWithinDeadline } from '../resilience/deadline';
import { retrying } from '../resilience/retry';
import { validateRetryOptions, type RetryOptions } from '../resilience/retry-options';
import { withGuard } from '../resilience/timeout';
import { checkFunction, checkTimeoutMs } from '../validation';
import type { ServiceCore } from './service-core';

/** The original's `create_retry_strategy`: a function decorator retrying with the service's defaults. */
export function createRetryStrategy(
  core: ServiceCore,
  metricName: string,
  overrides: Partial<RetryOptions>,
): <F extends AsyncMethod>(fn: F) => F {
  validateRetryOptions(overrides, `createRetryStrategy(${metricName})`);
  const policy = resolveRetryPolicy(
    overrides,
    metricName,
    core.options,
    core.policies,
    core.probe(metricName),
  );
  const runtime = core.retryRuntime;
  return <F extends AsyncMethod>(fn: F): F => {
    checkFunction(`createRetryStrategy(${metricName})(fn)`, fn);
    return function (this: unknown, ...args: unknown[]) {
      return retrying(
        (thisArg, a) => fn.apply(thisArg, a) as Promise<unknown>,
        this,
        args,
        policy,
        runtime,
        currentCancellation(),
      );
    } as unknown as F;
  };
}

/** The original's `timeout_context`, with real cancellation: `fn` gets a signal aborted at `ms`. */
export function withTimeout<T>(
  core: ServiceCore,
  ms: number,
  fn: (signal: AbortSignal) => Promise<T> | T,
): Promise<T> {
  checkTimeoutMs('ms', ms);
  checkFunction('fn', fn);
  const operation = fn.name || 'withTimeout';
  const probe = core.probe(operation);
  return withGuard(
    // Inside the attempt, currentSignal() is the attempt's own signal.
    () => fn(currentSignal()!),
    undefined,
    [],
    { ms, operation, clock: core.clock, onTimeout: (limit) => probe.timeout('attempt', limit) },
    currentCancellation(),
  );
}

/** The original's `execute_with_retry_and_timeout`: retries under one deadline for the whole call. */
export function executeWithRetryAndTimeout<T>(
  core: ServiceCore,
  fn: (...args: unknown[]) => Promise<T>,
  timeout: number,
  args: unknown[],
): Promise<T> {
  checkFunction('fn', fn);
  checkTimeoutMs('timeout', timeout);
  const operation = fn.name || 'executeWithRetryAndTimeout';
  const probe = core.probe(operation);
  const policy = resolveRetryPolicy({}, operation, core.options, core.policies, probe);
  return retryWithinDeadline(
    (_, a) => fn(...a),
    undefined,
    args,
    timeout,
    policy,
    core.retryRuntime,
    core.clock,
    (limit) => probe.timeout('total', limit),
  );
}
