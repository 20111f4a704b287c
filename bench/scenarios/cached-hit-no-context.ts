import { container } from 'tsyringe';
import { find, measureCases, type Case } from '../harness';
import { minimalHandWritten, opossumDefaultKey } from '../minimal-peers';
import { ratio, target } from '../model';
import { registerUtils, Shared } from '../services';
import { makeResult, N, Plain, Q, QUERY, T, U } from '../workload';
import { mismatch, type Scenario } from './scenario';

const OURS = "ours: @Cached({ tenant: 'shared' }) hit, no context";
const BARE = 'bare: await plain.get(...)';

/**
 * B2: the library's own cost of a hit. No execution context is entered (an active
 * AsyncLocalStorage slows every row's `await` alike and compresses the ratios), the tenant is in
 * the arguments, and the baseline is the least a user would write by hand.
 */
export const cachedHitNoContext: Scenario = {
  id: 'B2',
  title: '@Cached hit, same arguments, no context, minimal hand-written baseline',
  async run({ esm, budget }) {
    const problems: string[] = [];
    registerUtils({ cacheSize: 10_000 });
    const svc = container.resolve(Shared);
    const hand = minimalHandWritten(10_000);
    const opossum = opossumDefaultKey(10_000);
    const expected = makeResult(U, Q, N, QUERY);
    const callers = [
      { name: OURS, call: svc.get.bind(svc), executions: () => svc.executions },
      hand,
      opossum,
    ];
    for (const c of callers) {
      await c.call(U, T, Q, N, QUERY);
      const problem = mismatch(await c.call(U, T, Q, N, QUERY), expected);
      if (problem) problems.push(`B2 / ${c.name}: ${problem}`);
    }
    const onlyHits = (executions: () => number) => () =>
      executions() === 1 ? undefined : `ran ${executions()} times instead of once (not a hit)`;
    const plain = new Plain();
    const cases: Case[] = [
      { name: BARE, kind: 'bare', fn: async () => void (await plain.get(U, T, Q, N, QUERY)) },
      ...callers.map((c): Case => ({
        name: c.name,
        kind: c === callers[0] ? 'ours' : c === hand ? 'baseline' : 'peer',
        fn: async () => void (await c.call(U, T, Q, N, QUERY)),
        verify: onlyHits(c.executions),
      })),
    ];
    const rows = await measureCases(esm, 'B2', cases, budget, undefined, problems);
    await opossum.dispose?.();
    const ours = find(rows, OURS);
    return {
      rows,
      targets: [
        target('B2', 'ours / minimal hand-written', ratio(ours, find(rows, hand.name)), '<=', 1.1),
        target('B2', 'ours / opossum', ratio(ours, find(rows, opossum.name)), '<=', 1),
      ],
      problems,
      notes: [
        "B2: no context entered; ours is @Cached({ tenant: 'shared' }), the baseline keys " +
          "fn.name + ':' + JSON.stringify(args) in an lru-cache without TTL, opossum keys by its " +
          'default (JSON.stringify of the arguments).',
      ],
    };
  },
};
