import type { Clock } from '../clock';
import type { Counters } from '../observability/stats';

/** The rates the original service alerted on, over the last `windowMs` (see `HealthReport`). */
export interface HealthRates {
  /** The span the rates cover, in ms: the window, or less since the service started. */
  windowMs: number;
  /** hits / (hits + misses) in the span; null without a lookup. Alert below 0.8. */
  hitRate: number | null;
  /** Timeouts (attempts and deadlines) per pipeline run in the span; null without a run. Alert above 0.05. */
  timeoutRate: number | null;
  /** Retries per pipeline run in the span; null without a run. Alert above 0.1. */
  retryRate: number | null;
  /** The cache's bytes over `cacheMaxBytes`, now; null without a byte bound. Alert above 0.9. */
  memoryUsage: number | null;
}

/** The counters the rates are made of, at one time. */
interface Mark {
  readonly at: number;
  readonly hits: number;
  readonly misses: number;
  readonly timeouts: number;
  readonly retries: number;
  readonly executions: number;
}

/** How long the rates look back. */
export const HEALTH_WINDOW_MS = 60_000;
/** At most one mark per this many ms: the marks kept stay few whatever the polling rate. */
const MARK_EVERY_MS = HEALTH_WINDOW_MS / 60;

const markOf = (at: number, c: Counters): Mark => ({
  at,
  hits: c.hits,
  misses: c.misses,
  timeouts: c.timeouts,
  retries: c.retries,
  executions: c.executions,
});

/**
 * The counters as they stood at each `health()` call of the last minute (one mark per second at
 * most), so the rates cover the last minute without a timer or any cost on calls: each report
 * compares the totals now with the oldest mark of the window (the service's start, at first).
 */
export class HealthWindow {
  private readonly marks: Mark[];

  constructor(
    private readonly clock: Clock,
    totals: Counters,
  ) {
    this.marks = [markOf(clock.now(), totals)];
  }

  rates(totals: Counters, memoryUsage: number | null): HealthRates {
    const now = this.clock.now();
    const current = markOf(now, totals);
    // Keep the newest mark at or before the window's start as the baseline.
    while (this.marks.length > 1 && this.marks[1].at <= now - HEALTH_WINDOW_MS) this.marks.shift();
    const from = this.marks[0];
    if (now - this.marks[this.marks.length - 1].at >= MARK_EVERY_MS) this.marks.push(current);
    const lookups = current.hits - from.hits + (current.misses - from.misses);
    const runs = current.executions - from.executions;
    const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
    return {
      windowMs: now - from.at,
      hitRate: share(current.hits - from.hits, lookups),
      timeoutRate: share(current.timeouts - from.timeouts, runs),
      retryRate: share(current.retries - from.retries, runs),
      memoryUsage,
    };
  }
}
