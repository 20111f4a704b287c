import { performance } from 'node:perf_hooks';
import { container } from 'tsyringe';
import { runWithContext } from '../../src';
import { percentile } from '../harness';
import { target, type Row } from '../model';
import { registerUtils, SlowSvc } from '../services';
import { CTX } from '../workload';
import type { Scenario } from './scenario';

const CALLERS = 1000;

/**
 * F: 1,000 concurrent calls of one cold key share one 20 ms execution, and all of them are done
 * about when that execution is. Compared with one lone cold call, measured the same way.
 */
export const singleFlight: Scenario = {
  id: 'F',
  title: `${CALLERS} concurrent calls, one cold key, 20 ms method`,
  async run({ budget }) {
    const problems: string[] = [];
    registerUtils({ cacheSize: 10_000 });
    const svc = container.resolve(SlowSvc);
    const lone: number[] = [];
    const crowd: number[] = [];
    const executions: number[] = [];
    // Untimed warm-up of both paths.
    await runWithContext(CTX, () => svc.load('warm-up'));
    await runWithContext(CTX, () =>
      Promise.all(Array.from({ length: CALLERS }, () => svc.load('warm-up-2'))),
    );
    for (let rep = 0; rep < budget.singleFlightReps; rep++) {
      let t0 = performance.now();
      await runWithContext(CTX, () => svc.load(`lone-${rep}`));
      lone.push(performance.now() - t0);

      const before = svc.executions;
      t0 = performance.now();
      const results = await runWithContext(CTX, () =>
        Promise.all(Array.from({ length: CALLERS }, () => svc.load(`cold-${rep}`))),
      );
      crowd.push(performance.now() - t0);
      executions.push(svc.executions - before);
      if (results.some((r) => r.key !== `cold-${rep}`))
        problems.push(`F: a caller got a wrong value (rep ${rep})`);
    }
    const loneMs = percentile(
      [...lone].sort((a, b) => a - b),
      0.5,
    );
    const crowdMs = percentile(
      [...crowd].sort((a, b) => a - b),
      0.5,
    );
    const maxExecutions = Math.max(...executions);
    const rows: Row[] = [
      {
        scenario: 'F',
        name: 'one lone cold call (median wall)',
        kind: 'baseline',
        value: `${loneMs.toFixed(2)} ms wall`,
        metric: loneMs,
      },
      {
        scenario: 'F',
        name: `${CALLERS} concurrent calls, one cold key (median wall)`,
        kind: 'ours',
        value: `${crowdMs.toFixed(2)} ms wall, executions per rep: ${executions.join(',')}`,
        metric: crowdMs,
      },
    ];
    return {
      rows,
      targets: [
        target(
          'F',
          'executions per 1,000 concurrent calls (worst rep)',
          maxExecutions,
          '==',
          1,
          '',
        ),
        target('F', 'concurrent wall / lone wall', crowdMs / loneMs, '<=', 1.2),
      ],
      problems,
      notes: [
        `F: ${budget.singleFlightReps} reps; lone ${lone.map((t) => t.toFixed(1)).join(', ')} ms; ` +
          `concurrent ${crowd.map((t) => t.toFixed(1)).join(', ')} ms.`,
      ],
    };
  },
};
