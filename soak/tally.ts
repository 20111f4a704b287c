import { CAUSES, type Cause } from './classify';

/** Kept verbatim so a failing run says what went wrong; the rest are only counted. */
const MAX_SAMPLES = 10;

/** What the load saw. Counters only (plus a few samples), so the tally itself cannot grow the heap. */
export class Tally {
  calls = 0;
  successes = 0;
  readonly failures = Object.fromEntries(CAUSES.map((cause) => [cause, 0])) as Record<
    Cause,
    number
  >;
  wrongTenant = 0;
  wrongArgs = 0;
  /** Results loaded before a `clearCache()` that happened before their call started. */
  staleAfterClear = 0;
  /** Results older than their operation's TTL when their call started. */
  expiredServed = 0;
  clears = 0;
  /** Successes of a breaker-guarded operation after its breaker had refused a call. */
  breakerRecoveries = 0;
  readonly samples: string[] = [];
  private readonly tripped = new Set<string>();

  succeeded(operation: string): void {
    this.successes++;
    if (this.tripped.delete(operation)) this.breakerRecoveries++;
  }

  failed(operation: string, cause: Cause, error: unknown): void {
    this.failures[cause]++;
    if (cause === 'CircuitOpenError') this.tripped.add(operation);
    if (cause === 'other') this.note(`${operation} failed with ${describe(error)}`);
  }

  note(message: string): void {
    if (this.samples.length < MAX_SAMPLES) this.samples.push(message);
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-Error ${typeof error}: ${String(error)}`;
}
