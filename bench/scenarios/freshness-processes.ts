import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CachedOptions } from '../../src';
import { WORKER_LOAD_MS, WORKER_TTL_MS } from '../freshness-worker';
import { target, type Budget, type Row, type Target } from '../model';
import { startPrivateRedis } from '../redis-server';

const PROCESSES = 3;

/** Two decimals, as the tables show it. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;
const POLICIES: [string, Omit<CachedOptions, 'ttl'>][] = [
  ['plain TTL', {}],
  ['refreshAhead, beta 1', { refreshAhead: true }],
];

interface WorkerReport {
  readonly loads: number;
  readonly requests: number;
  readonly waited: number;
  readonly stale: number;
}

/** Runs one worker process to its end and parses its report. */
function runWorker(args: string[]): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'freshness-worker.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as WorkerReport);
      else reject(new Error(`worker exited with ${code}: ${err.trim()}`));
    });
  });
}

/**
 * M, across processes: three real processes on one private Redis, each requesting the hot key
 * every 5 ms (600 requests/s in all) in real time, TTL 1 s, a 50 ms load. Loads per TTL period
 * are counted across all of them.
 */
export async function freshnessAcrossProcesses(budget: Budget): Promise<{
  rows: Row[];
  targets: Target[];
  problems: string[];
  notes: string[];
}> {
  const started = await startPrivateRedis();
  if ('missing' in started) {
    return {
      rows: [],
      targets: [],
      problems: [],
      notes: ['M: 3 processes skipped: no redis-server.'],
    };
  }
  if ('error' in started)
    return { rows: [], targets: [], problems: [`M: ${started.error}`], notes: [] };
  const { server } = started;
  const durationMs = budget.mode === 'quick' ? 5_000 : 10_000;
  const rows: Row[] = [];
  const targets: Target[] = [];
  try {
    for (const [n, [name, cache]] of POLICIES.entries()) {
      const startAt = Date.now() + 1_000;
      const args = [
        server.url,
        `fresh${n}`,
        JSON.stringify(cache),
        String(startAt),
        String(durationMs),
      ];
      const reports = await Promise.all(Array.from({ length: PROCESSES }, () => runWorker(args)));
      const sum = (field: keyof WorkerReport): number =>
        reports.reduce((total, report) => total + report[field], 0);
      const loadsPerPeriod = round2((sum('loads') - 1) / (durationMs / WORKER_TTL_MS));
      rows.push({
        scenario: 'M',
        name: `${PROCESSES} processes on one Redis, ${name}`,
        kind: 'ours',
        value:
          `${sum('waited')} waited, ${sum('stale')} stale of ${sum('requests').toLocaleString('en-US')}, ` +
          `${loadsPerPeriod.toFixed(2)} loads per TTL period (all processes)`,
        metric: loadsPerPeriod,
      });
      if (cache.refreshAhead) {
        targets.push(
          target(
            'M',
            `${PROCESSES} processes, ${name}: loads per TTL period`,
            loadsPerPeriod,
            '<=',
            1.2,
            '',
          ),
          target(
            'M',
            `${PROCESSES} processes, ${name}: callers that waited`,
            sum('waited'),
            '==',
            0,
            '',
          ),
        );
      }
    }
  } finally {
    await server.stop();
  }
  return {
    rows,
    targets,
    problems: [],
    notes: [
      `M: ${PROCESSES} real processes, ${durationMs / 1_000} s each policy, a request every 5 ms per ` +
        `process, TTL ${WORKER_TTL_MS} ms, load ${WORKER_LOAD_MS} ms; "waited": a result that took ` +
        `over ${WORKER_LOAD_MS / 2} ms.`,
    ],
  };
}
