import { currentCallTrace, type CacheOutcome } from '../observability/call-trace';
import type { Stage } from './stage';

/**
 * Counts the attempts of a traced call: sits just inside retry, so it sees every attempt, and
 * finds its call through the async context (an attempt may run after a bulkhead queue or a
 * retry wait). Only a call that runs the pipeline itself counts: a stale entry's background
 * refresh runs in its caller's async context but is no attempt of that call.
 */
export function attemptStage(next: Stage, operation: string): Stage {
  return (thisArg, args) => {
    const trace = currentCallTrace();
    if (trace !== undefined && trace.operation === operation && runsItself(trace.cache)) {
      trace.attempts++;
    }
    return next(thisArg, args);
  };
}

function runsItself(cache: CacheOutcome): boolean {
  return cache === 'miss' || cache === 'uncached' || cache === 'none';
}
