import { container } from 'tsyringe';
import { runWithContext } from '../../src';
import { find, measureCases, type Case } from '../harness';
import { ratio, target } from '../model';
import { registerUtils, Stk, Svc } from '../services';
import { CTX, makeResult, N, Plain, Q, QUERY, T, U } from '../workload';
import { mismatch, type Scenario } from './scenario';

const STACKED = 'ours: @Cached @Retry @Timeout hit';
const CACHED = 'ours: @Cached hit (as B, measured alongside)';

/** H: a hit on a method with all three policies costs what a plain @Cached hit costs. */
export const stacked: Scenario = {
  id: 'H',
  title: '@Cached @Retry @Timeout stacked, hit',
  async run({ esm, budget }) {
    const problems: string[] = [];
    registerUtils({ cacheSize: 10_000 });
    const svc = container.resolve(Svc);
    const stk = container.resolve(Stk);
    const plain = new Plain();
    const expected = makeResult(U, Q, N, QUERY);
    await runWithContext(CTX, async () => {
      for (const [name, o] of [
        [STACKED, stk],
        [CACHED, svc],
      ] as const) {
        await o.get(U, T, Q, N, QUERY);
        const problem = mismatch(await o.get(U, T, Q, N, QUERY), expected);
        if (problem) problems.push(`H / ${name}: ${problem}`);
      }
    });
    const onlyHits = (o: { executions: number }) => () =>
      o.executions === 1 ? undefined : `ran ${o.executions} times instead of once (not a hit)`;
    const cases: Case[] = [
      {
        name: 'bare: await plain.get(...)',
        kind: 'bare',
        fn: async () => {
          await plain.get(U, T, Q, N, QUERY);
        },
      },
      {
        name: CACHED,
        kind: 'ours',
        fn: async () => {
          await svc.get(U, T, Q, N, QUERY);
        },
        verify: onlyHits(svc),
      },
      {
        name: STACKED,
        kind: 'ours',
        fn: async () => {
          await stk.get(U, T, Q, N, QUERY);
        },
        verify: onlyHits(stk),
      },
    ];
    const rows = await measureCases(esm, 'H', cases, budget, CTX, problems);
    return {
      rows,
      targets: [
        target(
          'H',
          'stacked / @Cached alone (B)',
          ratio(find(rows, STACKED), find(rows, CACHED)),
          '<=',
          1.1,
        ),
      ],
      problems,
      notes: [
        "H: B's @Cached hit is re-measured in the same rounds, so the ratio is not skewed by drift.",
      ],
    };
  },
};
