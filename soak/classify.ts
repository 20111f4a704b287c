import { BulkheadRejectedError, CircuitOpenError, TimeoutError } from '../src';
import { TransientError } from './backend';

/** Why a call failed, as the soak counts it. */
export const CAUSES = [
  'TimeoutError',
  'CircuitOpenError',
  'BulkheadRejectedError',
  'caller abort',
  'transient after retries',
  'other',
] as const;
export type Cause = (typeof CAUSES)[number];

/**
 * Every failure must be one the soak provoked; anything else is `'other'`, a defect. A caller's
 * abort counts only when it is this caller's own reason: another caller's would mean one
 * caller's cancellation leaked into another's call.
 */
export function classify(error: unknown, ownAbort: unknown): Cause {
  if (ownAbort !== undefined && error === ownAbort) return 'caller abort';
  if (error instanceof TimeoutError) return 'TimeoutError';
  if (error instanceof CircuitOpenError) return 'CircuitOpenError';
  if (error instanceof BulkheadRejectedError) return 'BulkheadRejectedError';
  if (error instanceof TransientError) return 'transient after retries';
  return 'other';
}
