import { currentSignal, ExecutionUtils } from '../../src';
import { ManualClock } from '../../src/testing';
import { percentile } from '../harness';
import { target, type Row, type Target } from '../model';
import { prng } from '../traces';
import type { Scenario } from './scenario';

/** The backend: lognormal latency (median 10 ms, sigma 0.25 or 0.5), 1 % stragglers 10x slower. */
const MEDIAN_MS = 10;
const SIGMAS = [0.25, 0.5];
const STRAGGLERS = 0.01;

interface Run {
  readonly latencies: number[];
  readonly attempts: number;
}

/** `requests` calls, one per ms of the manual clock, through `wrap` with `hedge` or without. */
async function simulate(requests: number, sigma: number, hedge: boolean): Promise<Run> {
  const clock = new ManualClock();
  const random = prng(17);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const utils = new ExecutionUtils({ clock });
  let attempts = 0;
  const backend = async (): Promise<void> => {
    attempts++;
    const slow = random() < STRAGGLERS ? 10 : 1;
    const ms = MEDIAN_MS * Math.exp(sigma * gaussian()) * slow;
    const signal = currentSignal();
    await new Promise<void>((resolve, reject) => {
      const timer = clock.setTimer(resolve, ms);
      signal?.addEventListener('abort', () => {
        clock.clearTimer(timer);
        reject(signal.reason);
      });
    });
  };
  const call = utils.wrap(backend, {
    name: 'Backend.get',
    ...(hedge ? { hedge: { delay: { percentile: 0.95 } } } : {}),
  });
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < requests; i++) {
    const issued = clock.now();
    pending.push(call().then(() => void latencies.push(clock.now() - issued)));
    await clock.advance(1);
  }
  await clock.advance(10_000);
  await Promise.all(pending);
  await utils.close();
  return { latencies: latencies.sort((a, b) => a - b), attempts };
}

/**
 * N: hedged requests against a backend with a long tail (lognormal, 1 % stragglers at 10x),
 * simulated on a manual clock: p50, p99 and p99.9 with and without
 * `@Hedge({ delay: { percentile: 0.95 } })`, and the extra attempts the hedges cost.
 */
export const hedged: Scenario = {
  id: 'N',
  title: 'hedged requests: tail latency and extra load',
  async run({ budget }) {
    const requests = budget.mode === 'quick' ? 5_000 : 20_000;
    const at = (run: Run, p: number): number => percentile(run.latencies, p);
    const describe = (run: Run): string =>
      `p50 ${at(run, 0.5).toFixed(1)} ms, p99 ${at(run, 0.99).toFixed(1)} ms, ` +
      `p99.9 ${at(run, 0.999).toFixed(1)} ms, ${(run.attempts / requests).toFixed(3)} attempts per call`;
    const rows: Row[] = [];
    const targets: Target[] = [];
    for (const sigma of SIGMAS) {
      const plain = await simulate(requests, sigma, false);
      const hedgedRun = await simulate(requests, sigma, true);
      const backend = `sigma ${sigma}`;
      rows.push(
        { scenario: 'N', name: `${backend}: no hedge`, kind: 'baseline', value: describe(plain) },
        {
          scenario: 'N',
          name: `${backend}: @Hedge({ delay: { percentile: 0.95 } })`,
          kind: 'ours',
          value: describe(hedgedRun),
        },
      );
      const extra = hedgedRun.attempts / plain.attempts - 1;
      targets.push(
        target(
          'N',
          `${backend}: p99 without / with hedging`,
          at(plain, 0.99) / at(hedgedRun, 0.99),
          '>=',
          3,
        ),
        target(
          'N',
          `${backend}: extra calls with hedging, %`,
          Math.round(extra * 1_000) / 10,
          '<=',
          6,
          '',
        ),
      );
    }
    return {
      rows,
      targets,
      problems: [],
      notes: [
        `N: ${requests.toLocaleString('en-US')} calls, one per ms of a manual clock; backend ` +
          `latency lognormal (median ${MEDIAN_MS} ms, sigma ${SIGMAS.join(' or ')}), ${STRAGGLERS * 100} % ` +
          'stragglers 10x slower; a hedge draws its own latency; seeded.',
      ],
    };
  },
};
