import { container } from 'tsyringe';
import { runWithContext } from '../../src';
import { collectGarbage } from '../harness';
import { target, type Row } from '../model';
import { FlakySvc, registerUtils } from '../services';
import { CTX } from '../workload';
import { activeTimeouts, tick, type Scenario } from './scenario';

const CALLS = 100_000;
const MB = 1024 * 1024;

/**
 * S: 100,000 concurrent @Retry calls (no delay), every tenth failing once: all resolve with their
 * own value, the heap stays bounded, and no timer is left behind.
 */
export const stress: Scenario = {
  id: 'S',
  title: `${CALLS.toLocaleString('en-US')} concurrent @Retry calls, 10% fail once`,
  async run() {
    const problems: string[] = [];
    const utils = registerUtils({});
    const svc = container.resolve(FlakySvc);
    svc.reset(CALLS);
    await collectGarbage();
    const timersBefore = activeTimeouts();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const sample = (): void => {
      const used = process.memoryUsage().heapUsed;
      if (used > peak) peak = used;
    };
    // Sampled while launching, on every 1000th execution, and by a 1 ms interval.
    svc.onExecution = () => {
      if (svc.executions % 1000 === 0) sample();
    };
    const sampler = setInterval(sample, 1);
    const t0 = performance.now();
    const results = await runWithContext(CTX, () => {
      const pending = new Array<Promise<{ i: number }>>(CALLS);
      for (let i = 0; i < CALLS; i++) {
        pending[i] = svc.call(i);
        if (i % 5000 === 0) sample();
      }
      return Promise.allSettled(pending);
    });
    const wallMs = performance.now() - t0;
    sample();
    clearInterval(sampler);
    svc.onExecution = undefined;

    let correct = 0;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled' && r.value.i === i) correct++;
    });
    if (correct !== CALLS)
      problems.push(`S: ${CALLS - correct} calls did not resolve with their own value`);
    const retries = utils.getStats().retries;
    if (svc.failures !== CALLS / 10 || retries !== CALLS / 10) {
      problems.push(
        `S: ${svc.failures} failures and ${retries} retries, expected ${CALLS / 10} of each`,
      );
    }
    await tick();
    const timersLeft = activeTimeouts() - timersBefore;
    if (timersLeft > 0) problems.push(`S: ${timersLeft} timer(s) left after every call settled`);

    const rows: Row[] = [
      {
        scenario: 'S',
        name: `${CALLS.toLocaleString('en-US')} concurrent calls, ${svc.failures} failed once`,
        kind: 'ours',
        value:
          `${correct} correct, ${svc.executions} executions, ${retries} retries, ${wallMs.toFixed(0)} ms; ` +
          `peak heap ${(peak / MB).toFixed(1)} MB (+${((peak - heapBefore) / MB).toFixed(1)} MB)`,
        metric: peak,
      },
    ];
    return {
      rows,
      targets: [
        target('S', 'calls resolved with their own value', correct, '==', CALLS, ''),
        target('S', "'Timeout' handles left by the run", Math.max(0, timersLeft), '==', 0, ''),
      ],
      problems,
      notes: [
        `S: heap ${(heapBefore / MB).toFixed(1)} MB before, peak ${(peak / MB).toFixed(1)} MB ` +
          `(${Math.round((peak - heapBefore) / CALLS)} B per concurrent call); ` +
          `${timersBefore} 'Timeout' handle(s) before, ${timersBefore + timersLeft} after.`,
      ],
    };
  },
};
