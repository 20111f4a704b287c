/**
 * The benchmark suite: every scenario in one process, one Markdown table, and
 * bench/results.{json,md,svg}. `npm run bench [-- --quick] [-- --only=B,C] [-- --write | --no-write]`.
 */
import './v8-flags';
import 'reflect-metadata';
import { cpus } from 'node:os';
import { parseArgs } from './cli';
import { loadEsm } from './esm';
import { verifyMitataAwaits } from './harness';
import { writeResults } from './report/files';
import { targetText } from './report/format';
import { renderSvg } from './report/svg';
import { markdownTable, type Section } from './report/table';
import { cachedHit } from './scenarios/cached-hit';
import { cachedHitNoContext } from './scenarios/cached-hit-no-context';
import { cachedMiss } from './scenarios/cached-miss';
import { heap } from './scenarios/heap';
import { keygen } from './scenarios/keygen';
import { limits } from './scenarios/limits';
import { observedHit } from './scenarios/observed-hit';
import { redisTier } from './scenarios/redis-tier';
import { retrySuccess } from './scenarios/retry';
import type { Scenario } from './scenarios/scenario';
import { batched } from './scenarios/batched';
import { hitRatio } from './scenarios/hit-ratio';
import { freshness } from './scenarios/freshness';
import { hedged } from './scenarios/hedge';
import { singleFlight } from './scenarios/single-flight';
import { stacked } from './scenarios/stacked';
import { stress } from './scenarios/stress';
import { timeoutResolved } from './scenarios/timeout';

/** Timing scenarios first, the memory-heavy ones last. */
const SCENARIOS: Scenario[] = [
  limits,
  cachedHit,
  cachedHitNoContext,
  observedHit,
  keygen,
  cachedMiss,
  retrySuccess,
  timeoutResolved,
  stacked,
  singleFlight,
  batched,
  hitRatio,
  freshness,
  hedged,
  redisTier,
  heap,
  stress,
];

async function main(): Promise<number> {
  const { budget, only, write } = parseArgs(process.argv.slice(2));
  const unknown = [...(only ?? [])].filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}`);
  const selected = SCENARIOS.filter((s) => !only || only.has(s.id));

  const esm = await loadEsm();
  const started = Date.now();
  const notes = [await verifyMitataAwaits(esm)];
  const sections: Section[] = [];
  const problems: string[] = [];
  for (const scenario of selected) {
    const t0 = Date.now();
    process.stderr.write(`${scenario.id}. ${scenario.title} ... `);
    const result = await scenario.run({ esm, budget });
    process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    sections.push({
      id: scenario.id,
      title: scenario.title,
      rows: result.rows,
      targets: result.targets,
    });
    problems.push(...result.problems);
    notes.push(...result.notes);
  }

  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpu} x ${cpus().length}`,
    mode: budget.mode,
    rounds: budget.rounds,
    msPerRowAndRound: budget.roundNs / 1e6,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const table = markdownTable(sections);
  const stamp = `${meta.date} · Node ${meta.node} · ${meta.cpu} · ${meta.mode} run (${meta.rounds} round(s) of ${meta.msPerRowAndRound} ms per row)`;
  const method =
    'Medians and p99 are ns per op from mitata `measure()`, pooled over the rounds; ops are batched ' +
    'by 256, so p99 is over 256-op means. Every op runs inside one `runWithContext({ userId, taskId })` ' +
    'and awaits its result. Ratios compare medians within a scenario.';
  const missed = sections.flatMap((s) => s.targets).filter((t) => !t.met);
  const verdict = missed.length
    ? `Targets missed (${missed.length}): ` +
      missed.map((t) => `${t.scenario} ${t.name} = ${targetText(t)}`).join('; ')
    : 'All targets met.';
  console.log(table);
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  console.log(`\n${stamp}`);
  console.log(verdict);
  for (const p of problems) console.log(`PROBLEM: ${p}`);

  if (write) {
    const md = [
      '# Benchmark results',
      '',
      table,
      '',
      verdict,
      '',
      ...notes.map((n) => `- ${n}`),
      '',
      method,
      '',
      stamp,
      '',
    ].join('\n');
    const paths = writeResults({
      json: { meta, sections, problems, notes },
      md,
      svg: renderSvg(sections, stamp),
    });
    console.log(`wrote ${paths.join(', ')}`);
  }
  return problems.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
