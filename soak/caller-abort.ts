import type { Rng } from './rng';

/** The reason a soak caller aborts with. Compared by identity: a call must see its own abort. */
export class CallerAbort extends Error {
  override readonly name = 'CallerAbort';
}

export interface PlannedAbort {
  readonly signal: AbortSignal;
  readonly reason: CallerAbort;
  /** Called once the call settles: an abort after that would test nothing, and its timer leaks. */
  cancel(): void;
}

/**
 * Gives about one call in ten a signal: most abort 0-10 ms into the call (waiting in a flight,
 * a bulkhead queue, a retry wait or an attempt), a few before the call even starts.
 */
export function planAbort(rng: Rng): PlannedAbort | undefined {
  const roll = rng.next();
  if (roll >= 0.1) return undefined;
  const controller = new AbortController();
  const reason = new CallerAbort('the caller gave up');
  if (roll < 0.01) {
    controller.abort(reason);
    return { signal: controller.signal, reason, cancel: () => {} };
  }
  const timer = setTimeout(() => controller.abort(reason), rng.between(0, 10));
  return { signal: controller.signal, reason, cancel: () => clearTimeout(timer) };
}
