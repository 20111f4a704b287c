/**
 * Timing with mitata's `measure()`. Every row of a scenario is measured in each of several rounds,
 * in a rotated order, and the samples of all rounds are pooled: drift on a noisy machine then
 * hits every row alike instead of whichever row ran during it.
 */
import { runWithContext, type ExecutionContext } from '../src';
import type { Esm } from './esm';
import type { Budget, Kind, Row } from './model';

export interface Case {
  name: string;
  kind: Kind;
  /** One op. Async ops await inside, so mitata sees (and awaits) a Promise. */
  fn: () => unknown;
  /** Run after the measurement: a message when the case misbehaved (wrong result, missed hit). */
  verify?: () => string | undefined;
  note?: string;
}

/** Ops are batched by 256: p99 is the 99th percentile of 256-op means, not of single ops. */
const BATCH = 256;

export async function measureCases(
  esm: Esm,
  scenario: string,
  cases: Case[],
  budget: Budget,
  ctx: ExecutionContext | undefined,
  problems: string[],
): Promise<Row[]> {
  const inContext = <T>(fn: () => T): T => (ctx ? runWithContext(ctx, fn) : fn());
  for (const c of cases) {
    await inContext(async () => {
      for (let i = 0; i < budget.warmupCalls; i++) await c.fn();
    });
  }
  const pooled = cases.map((): number[] => []);
  for (let round = 0; round < budget.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round) % cases.length;
      const stats = await inContext(() =>
        esm.measure(cases[index].fn, {
          min_cpu_time: budget.roundNs,
          batch_samples: BATCH,
          min_samples: 8,
        }),
      );
      for (const s of stats.samples) pooled[index].push(s);
    }
  }
  const rows = cases.map((c, i): Row => {
    const samples = pooled[i].sort((a, b) => a - b);
    return {
      scenario,
      name: c.name,
      kind: c.kind,
      medianNs: percentile(samples, 0.5),
      p99Ns: percentile(samples, 0.99),
      samples: samples.length,
      note: c.note,
    };
  });
  for (const c of cases) {
    const problem = c.verify?.();
    if (problem) problems.push(`${scenario} / ${c.name}: ${problem}`);
  }
  return withRatios(rows);
}

/** Nearest rank on sorted samples. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/**
 * Fills the ratio columns: to the scenario's bare row (if any) and to its best (lowest) peer.
 * Works on `medianNs`, or on `metric` for non-timing rows.
 */
export function withRatios(rows: Row[]): Row[] {
  const value = (r: Row): number | undefined => r.medianNs ?? r.metric;
  const bare = rows.find((r) => r.kind === 'bare');
  const peers = rows.filter((r) => r.kind === 'peer' && value(r) !== undefined);
  const best = peers.length ? Math.min(...peers.map((r) => value(r)!)) : undefined;
  return rows.map((r) => {
    const v = value(r);
    return {
      ...r,
      vsBare: bare && v !== undefined ? v / value(bare)! : undefined,
      vsBestPeer: best !== undefined && v !== undefined ? v / best : undefined,
    };
  });
}

export function find(rows: Row[], name: string): number | undefined {
  const row = rows.find((r) => r.name === name);
  return row?.medianNs ?? row?.metric;
}

/**
 * Checks that `measure()` awaits a Promise-returning fn: each op waits for a `setImmediate`
 * hop, which only an awaiting loop lets run. If mitata did not await, ops would pile up
 * unfinished and `measure()` would return before they settle.
 */
export async function verifyMitataAwaits(esm: Esm): Promise<string> {
  let started = 0;
  let finished = 0;
  const stats = await esm.measure(
    async () => {
      started++;
      await new Promise((resolve) => setImmediate(resolve));
      finished++;
    },
    { min_cpu_time: 5e6, min_samples: 8 },
  );
  const settled = started === finished;
  if (!settled || started < 8) {
    throw new Error(
      `mitata did not await the async fn: ${started} started, ${finished} finished when measure() returned`,
    );
  }
  return `mitata awaits async fns: ${started} ops, all settled before measure() returned (p50 ${stats.p50.toFixed(0)} ns for a setImmediate hop)`;
}

/** GC now (the bench runs with --expose-gc). */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
