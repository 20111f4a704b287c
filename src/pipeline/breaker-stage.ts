import { currentCancellation } from '../context';
import type { CircuitBreaker } from '../resilience/circuit-breaker';
import type { Stage } from './stage';

/**
 * Runs each attempt through the breaker: refused at once while it is open (the refusal is not
 * retried), its outcome reported after. An attempt ended by the caller's own abort says nothing
 * about the dependency, so it only frees its slot.
 */
export function breakerStage(next: Stage, breaker: CircuitBreaker, onRefused: () => void): Stage {
  return async (thisArg, args) => {
    let permit;
    try {
      permit = breaker.acquire();
    } catch (refusal) {
      onRefused();
      throw refusal;
    }
    try {
      const value = await next(thisArg, args);
      breaker.success(permit);
      return value;
    } catch (error) {
      if (currentCancellation()?.aborted) breaker.release(permit);
      else breaker.failure(permit, error);
      throw error;
    }
  };
}
