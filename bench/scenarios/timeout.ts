import { timeout, TimeoutStrategy } from 'cockatiel';
import { container } from 'tsyringe';
import { find, measureCases } from '../harness';
import { ratio, target } from '../model';
import { registerUtils, TimeoutSvc } from '../services';
import { CTX, makeResult, N, Plain, Q, QUERY, T, U, type Result } from '../workload';
import { activeTimeouts, checkedCases, tick, type Call, type Scenario } from './scenario';

const OURS = 'ours: @Timeout(5000), resolves at once';
const COCKATIEL = 'cockatiel timeout(5000, Aggressive)';
const P_TIMEOUT = 'p-timeout { milliseconds: 5000 }';
const RACE = 'hand-written Promise.race + setTimeout/clearTimeout';

/** E: a 5 s limit around a call that resolves at once: the cost of arming and clearing it. */
export const timeoutResolved: Scenario = {
  id: 'E',
  title: '@Timeout(5000), resolving at once',
  async run({ esm, budget }) {
    const problems: string[] = [];
    registerUtils({});
    const svc = container.resolve(TimeoutSvc);
    const plain = new Plain();
    const policy = timeout(5000, TimeoutStrategy.Aggressive);
    const race = async (): Promise<Result> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          plain.get(U, T, Q, N, QUERY),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), 5000);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    };
    const calls: Call[] = [
      ['bare: await plain.get(...)', 'bare', () => plain.get(U, T, Q, N, QUERY)],
      [OURS, 'ours', () => svc.get(U, T, Q, N, QUERY)],
      [COCKATIEL, 'peer', () => policy.execute(() => plain.get(U, T, Q, N, QUERY))],
      [P_TIMEOUT, 'peer', () => esm.pTimeout(plain.get(U, T, Q, N, QUERY), { milliseconds: 5000 })],
      [RACE, 'baseline', race],
    ];
    const timersBefore = activeTimeouts();
    const expected = makeResult(U, Q, N, QUERY);
    const cases = await checkedCases('E', calls, expected, CTX, problems);
    const rows = await measureCases(esm, 'E', cases, budget, CTX, problems);
    await tick();
    const leaked = activeTimeouts() - timersBefore;
    if (leaked > 0) problems.push(`E: ${leaked} timer(s) left after the scenario`);
    const ours = find(rows, OURS);
    return {
      rows,
      targets: [
        target('E', 'ours / cockatiel', ratio(ours, find(rows, COCKATIEL)), '<=', 0.25),
        target('E', 'ours / p-timeout', ratio(ours, find(rows, P_TIMEOUT)), '<=', 0.25),
        target('E', 'ours / hand-written race', ratio(ours, find(rows, RACE)), '<=', 2),
      ],
      problems,
      notes: [
        `E: ${Math.max(0, leaked)} timer(s) left after every row ran (all clear their timers).`,
      ],
    };
  },
};
