import { currentCancellation, currentContextFields } from '../context';
import { BulkheadRejectedError } from '../errors';
import type { Bulkhead } from '../resilience/bulkhead';
import type { Stage } from './stage';

/**
 * Holds a slot of the bulkhead for the whole call, retries included. A call's priority is
 * `runWithContext({ priority })`, else the decorator's; a queued call leaves when its caller
 * aborts (or an enclosing deadline passes).
 */
export function bulkheadStage(
  next: Stage,
  bulkhead: Bulkhead,
  defaultPriority: number | undefined,
  onRejected: () => void,
): Stage {
  return async (thisArg, args) => {
    const asked = currentContextFields()?.priority;
    const priority = typeof asked === 'number' ? asked : defaultPriority;
    let release: () => void;
    try {
      const slot = bulkhead.acquire(priority, currentCancellation());
      release = typeof slot === 'function' ? slot : await slot;
    } catch (error) {
      if (error instanceof BulkheadRejectedError) onRejected();
      throw error;
    }
    try {
      return await next(thisArg, args);
    } finally {
      release();
    }
  };
}
