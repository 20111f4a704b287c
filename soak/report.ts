import type { Stats } from '../src';
import { CAUSES, type Cause } from './classify';
import type { Leftovers } from './load';
import type { RejectionWatch } from './rejections';
import type { Tally } from './tally';

/** Heap growth from the warmed-up start to the end of the run that still counts as flat. */
const MAX_HEAP_GROWTH = 0.1;

export interface Findings {
  readonly tally: Tally;
  readonly stats: Stats;
  readonly rejections: RejectionWatch;
  /** Heap used after GC: warmed up under load, once every call settled, after `close()`. */
  readonly heap: { readonly start: number; readonly end: number; readonly afterClose: number };
  readonly leftovers: Leftovers;
  /** Resources keeping the process alive at exit beyond what Node itself keeps. */
  readonly resources: readonly string[];
}

interface Row {
  readonly label: string;
  readonly value: string;
  /** What the value must be; rows without one are for information. */
  readonly expected?: string;
  readonly ok?: boolean;
}

const CAUSE_LABELS: Record<Cause, string> = {
  TimeoutError: 'failed: TimeoutError',
  CircuitOpenError: 'failed: CircuitOpenError',
  BulkheadRejectedError: 'failed: BulkheadRejectedError',
  'caller abort': "failed: the caller's own abort",
  'transient after retries': 'failed: transient error after retries',
  other: 'failed: anything else (unexpected)',
};

/** Prints the table; returns the failed checks, empty when the run passed. */
export function report(f: Findings): string[] {
  const rows = tableRows(f);
  const width = Math.max(...rows.map((r) => r.label.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  for (const row of rows) {
    const mark = row.ok === undefined ? '  ' : row.ok ? 'ok' : 'NO';
    const expected = row.expected ? `  (expected ${row.expected})` : '';
    console.log(
      `${mark}  ${row.label.padEnd(width)}  ${row.value.padStart(valueWidth)}${expected}`,
    );
  }
  const s = f.stats;
  console.log(
    `library stats: ${s.hits} hits, ${s.misses} misses (${s.coalesced} coalesced), ${s.sets} sets, ` +
      `${s.evictions} evictions, ${s.retries} retries, ${s.timeouts} attempt timeouts, ` +
      `${s.circuitRejections} circuit rejections, ${s.bulkheadRejections} bulkhead rejections`,
  );
  for (const sample of [...f.tally.samples, ...f.rejections.samples.map((r) => `unhandled: ${r}`)])
    console.log(`  seen: ${sample}`);
  for (const call of f.leftovers.calls.slice(0, 5)) console.log(`  still pending: ${call}`);
  return rows
    .filter((r) => r.ok === false)
    .map((r) => `${r.label}: ${r.value}, expected ${r.expected}`);
}

function tableRows(f: Findings): Row[] {
  const { tally, stats, heap, leftovers } = f;
  const growth = (heap.end - heap.start) / heap.start;
  return [
    info('calls made', tally.calls),
    some('successes', tally.successes),
    ...CAUSES.map((cause) =>
      cause === 'other'
        ? none(CAUSE_LABELS[cause], tally.failures[cause])
        : some(CAUSE_LABELS[cause], tally.failures[cause]),
    ),
    some('cache hits', stats.hits),
    some('concurrent misses coalesced', stats.coalesced),
    some('retries', stats.retries),
    some('clearCache() calls', tally.clears),
    some('breaker closed again after refusing', tally.breakerRecoveries),
    equal(
      'circuit rejections counted (stats)',
      stats.circuitRejections,
      tally.failures.CircuitOpenError,
    ),
    equal(
      'bulkhead rejections counted (stats)',
      stats.bulkheadRejections,
      tally.failures.BulkheadRejectedError,
    ),
    none('wrong-tenant results', tally.wrongTenant),
    none('wrong-argument results', tally.wrongArgs),
    none('results loaded before a clearCache()', tally.staleAfterClear),
    none('results past their TTL', tally.expiredServed),
    none('unhandled rejections', f.rejections.count),
    {
      label: 'heap used after GC: start -> end',
      value: `${mb(heap.start)} -> ${mb(heap.end)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %)`,
      expected: `<= +${MAX_HEAP_GROWTH * 100} %`,
      ok: growth <= MAX_HEAP_GROWTH,
    },
    { label: 'heap used after close()', value: `${mb(heap.afterClose)} MB` },
    none('calls still pending at the end', leftovers.calls.length),
    none('backend work never cancelled', leftovers.backendWaits),
    {
      label: 'handles left at exit',
      value: f.resources.length ? f.resources.join(', ') : 'none',
      expected: 'none',
      ok: f.resources.length === 0,
    },
  ];
}

function info(label: string, n: number): Row {
  return { label, value: count(n) };
}

/** Something the soak provokes: if it never happened, the soak did not test it. */
function some(label: string, n: number): Row {
  return { label, value: count(n), expected: '> 0', ok: n > 0 };
}

function none(label: string, n: number): Row {
  return { label, value: count(n), expected: '0', ok: n === 0 };
}

function equal(label: string, n: number, seen: number): Row {
  return { label, value: count(n), expected: `${count(seen)}, as callers saw`, ok: n === seen };
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(2);
}
