import type { CircuitState } from '../../resilience/circuit-breaker';
import type { Invalidation } from '../store';

/** Why a Redis command did not help the call. */
export type RemoteErrorReason = 'error' | 'timeout' | 'breaker-open' | 'decode' | 'encode';

/** What the tier tells its service. */
export interface TierReports {
  error(command: string, reason: RemoteErrorReason, error?: unknown): void;
  /** Another process invalidated `what`: drop it here. */
  invalidated(what: Invalidation): void;
  /** The invalidation channel reconnected: messages may have been missed. */
  resync(): void;
  breakerStateChange(from: CircuitState, to: CircuitState): void;
}
