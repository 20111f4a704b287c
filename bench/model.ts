/** What scenarios produce and reports print. */

/** `bare`: the undecorated call; `baseline`: hand-written or raw references; `peer`: a library. */
export type Kind = 'bare' | 'ours' | 'peer' | 'baseline';

export interface Row {
  scenario: string;
  name: string;
  kind: Kind;
  /** Median (p50) and p99 in ns per op, for mitata rows. */
  medianNs?: number;
  p99Ns?: number;
  /** What to print instead of ns/op for a row that is not a timing (F, G, S). */
  value?: string;
  /** The number the ratio columns use for a non-timing row (e.g. bytes per entry). */
  metric?: number;
  vsBare?: number;
  vsBestPeer?: number;
  /** Mitata samples pooled into the percentiles. */
  samples?: number;
  note?: string;
}

export type Comparison = '<=' | '>=' | '==';

export interface Target {
  scenario: string;
  name: string;
  /** The computed value (a ratio, a count); undefined when it could not be computed. */
  actual: number | undefined;
  op: Comparison;
  limit: number;
  met: boolean;
  /** `x` for ratios, '' for counts. */
  unit: string;
}

export interface ScenarioResult {
  rows: Row[];
  targets: Target[];
  /** Correctness problems (a wrong result, a leaked timer): these fail the run. */
  problems: string[];
  notes: string[];
}

export interface Budget {
  mode: 'quick' | 'full';
  /** Measurement rounds; each round measures every row once, in a rotated order. */
  rounds: number;
  /** Mitata `min_cpu_time` per row and round, in ns. */
  roundNs: number;
  /** Calls made before the first round. */
  warmupCalls: number;
  /** F: repetitions of the lone and the concurrent measurement. */
  singleFlightReps: number;
  /** G: repetitions of each heap measurement (the median is reported). */
  heapReps: number;
}

export function target(
  scenario: string,
  name: string,
  actual: number | undefined,
  op: Comparison,
  limit: number,
  unit = 'x',
): Target {
  const met =
    actual !== undefined &&
    Number.isFinite(actual) &&
    (op === '<=' ? actual <= limit : op === '>=' ? actual >= limit : actual === limit);
  return { scenario, name, actual, op, limit, met, unit };
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}
