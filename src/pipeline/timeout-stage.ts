import { currentCancellation } from '../context';
import { withGuard, type TimeoutGuard } from '../resilience/timeout';
import type { Stage } from './stage';

/** Bounds each attempt; the attempt sees the guard's signal through `currentSignal()`. */
export function timeoutStage(next: Stage, guard: TimeoutGuard): Stage {
  return (thisArg, args) => withGuard(next, thisArg, args, guard, currentCancellation());
}
