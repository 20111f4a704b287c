/**
 * The chaos soak: `npm run soak [-- --seconds N] [-- --seed S]`. Mixed concurrent load from 50
 * tenants against decorated services, in real time, with transient failures, hangs, caller
 * aborts, cache clears and breaker-tripping outages; then a table of what callers saw, and exit
 * code 1 if any result went to the wrong tenant, an error was unexpected, a rejection went
 * unhandled, the heap grew, a handle was left open or a call never settled.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { ExecutionUtils } from '../src';
import { Backend } from './backend';
import { parseArgs, type SoakOptions } from './cli';
import { resourceBaseline, resourcesBeyond } from './handles';
import { checkGcExposed, heapUsedAfterGc } from './heap';
import { runLoad } from './load';
import { operations } from './operations';
import { watchRejections } from './rejections';
import { report } from './report';
import { Rng } from './rng';
import { Tally } from './tally';
import { TENANTS } from './tenants';
import { pause } from './time';

/** Calls in flight at once: enough to overlap every policy, not enough to starve a shared box. */
const CONCURRENCY = 64;
/** Small enough that the LRU bound evicts between clears. */
const CACHE_SIZE = 500;

/** The command line, or exit code 2 with what is wrong with it (a stack trace would bury it). */
function cliOptions(): SoakOptions {
  try {
    checkGcExposed();
    return parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const { seconds, seed } = cliOptions();
  const baseline = resourceBaseline();
  const rejections = watchRejections();
  console.log(
    `soak: ${seconds} s, seed ${seed}, ${CONCURRENCY} calls in flight, ${TENANTS.length} tenants ` +
      `(replay: npm run soak -- --seconds ${seconds} --seed ${seed})`,
  );

  const rng = new Rng(seed);
  const backend = new Backend(rng, performance.now());
  const utils = new ExecutionUtils({ cacheSize: CACHE_SIZE });
  container.registerInstance(ExecutionUtils, utils);
  container.registerInstance(Backend, backend);
  const tally = new Tally();

  const started = performance.now();
  const load = runLoad({
    seconds,
    concurrency: CONCURRENCY,
    rng,
    ops: operations(container),
    backend,
    utils,
    tally,
  });
  // The start reading waits until code is compiled and the cache and breakers are populated,
  // so that what it measures against is the steady state, not an empty process.
  await pause(Math.min(Math.max(1_000, seconds * 100), seconds * 500));
  const heapStart = await heapUsedAfterGc();
  const leftovers = await load;
  const elapsed = (performance.now() - started) / 1000;
  // Read before close(): closing empties the cache, which would hide growth behind the
  // entries it frees; both readings hold a cache bounded by CACHE_SIZE.
  const heapEnd = await heapUsedAfterGc();
  const stats = utils.getStats();
  await utils.close();
  const heapAfterClose = await heapUsedAfterGc();

  console.log(`load ran ${elapsed.toFixed(1)} s`);
  const failures = report({
    tally,
    stats,
    rejections,
    heap: { start: heapStart, end: heapEnd, afterClose: heapAfterClose },
    leftovers,
    resources: resourcesBeyond(baseline),
  });
  if (failures.length === 0) {
    console.log('soak passed');
    return 0;
  }
  console.error(`soak FAILED (seed ${seed}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('soak: crashed', error);
    process.exit(1);
  },
);
