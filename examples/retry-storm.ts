/**
 * A retry storm and how to stop it. A dependency goes down for good; 1,000 requests arrive over
 * 10 s, each with up to 3 attempts. Plain retries triple the load on the failing dependency; a
 * retry budget caps the extra load at a share of the traffic; a circuit breaker stops calling it
 * at all once it is clearly down. Runs on a `ManualClock` with retry waits that take no time,
 * so the requests keep their pace and nothing really waits.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  CircuitBreaker,
  ExecutionUtils,
  ManualClock,
  Retry,
  type ExecutionUtilsOptions,
} from '../src';

let dependencyCalls = 0;

async function callDependency(): Promise<string> {
  dependencyCalls++;
  throw new Error('503 Service Unavailable');
}

class Plain {
  @Retry({ attempts: 3, backoff: 100, minDelay: 100 })
  async get(): Promise<string> {
    return callDependency();
  }
}

class Guarded {
  @CircuitBreaker({ consecutiveFailures: 10, halfOpenAfter: 2_000 })
  @Retry({ attempts: 3, backoff: 100, minDelay: 100 })
  async get(): Promise<string> {
    return callDependency();
  }
}

const REQUESTS = 1_000;
const SPACING_MS = 10;

async function storm(
  service: { get(): Promise<string> },
  options: ExecutionUtilsOptions,
): Promise<{ calls: number; stats: ReturnType<ExecutionUtils['getStats']> }> {
  const clock = new ManualClock();
  const utils = new ExecutionUtils({ ...options, clock, sleep: async () => {} });
  container.registerInstance(ExecutionUtils, utils);
  dependencyCalls = 0;
  for (let i = 0; i < REQUESTS; i++) {
    await service.get().catch(() => undefined);
    await clock.advance(SPACING_MS);
  }
  return { calls: dependencyCalls, stats: utils.getStats() };
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const budget = { ratio: 0.1, minPerSecond: 5, windowMs: 1_000 };
  const rows = [
    ['retry only', await storm(new Plain(), {})],
    ['retry + budget (10 %)', await storm(new Plain(), { retryBudget: budget })],
    ['retry + budget + breaker', await storm(new Guarded(), { retryBudget: budget })],
  ] as const;
  log(`${REQUESTS} requests to a dependency that is down, up to 3 attempts each:`);
  for (const [label, { calls, stats }] of rows) {
    log(
      `  ${label.padEnd(25)} ${String(calls).padStart(5)} calls to it ` +
        `(${(calls / REQUESTS).toFixed(2)}x the traffic; retries=${stats.retries}, ` +
        `budget refusals=${stats.budgetExhausted}, breaker refusals=${stats.circuitRejections})`,
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
