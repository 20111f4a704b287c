import { isThenable } from '../is-thenable';
import type { Probe } from '../observability/probe';
import type { Stage } from './stage';

/**
 * Counts each execution of the method's pipeline (every call but a cache hit), and times it for
 * the `executed` event only while someone listens to it.
 */
export function executedStage(next: Stage, probe: Probe): Stage {
  const { clock } = probe;
  return (thisArg, args) => {
    probe.execution();
    if (!probe.timed) return next(thisArg, args);
    const started = clock.now();
    const report = (ok: boolean): void => probe.executed(clock.now() - started, ok);
    let result: unknown;
    try {
      result = next(thisArg, args);
    } catch (error) {
      report(false);
      throw error;
    }
    if (isThenable(result)) {
      result.then(
        () => report(true),
        () => report(false),
      );
    } else report(true);
    return result;
  };
}
