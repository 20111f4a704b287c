import { getExecutionContext } from '../src';

/**
 * What every soak method returns: who it was computed for and from what, as the method body saw
 * it. A result that reaches a caller with another tenant or other arguments was served from the
 * wrong cache entry or the wrong flight.
 */
export interface Stamp {
  readonly userId: string | undefined;
  readonly taskId: string | undefined;
  readonly args: readonly unknown[];
  /** The backend's data version when the load started (see `Backend.version`). */
  readonly version: number;
  /** `performance.now()` when the body produced the value, the earliest it can have been cached. */
  readonly loadedAt: number;
}

export function stamp(args: readonly unknown[], version: number): Stamp {
  const ctx = getExecutionContext();
  return { userId: ctx?.userId, taskId: ctx?.taskId, args, version, loadedAt: performance.now() };
}
