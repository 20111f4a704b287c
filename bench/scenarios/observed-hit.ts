import { ExecutionUtils } from '../../src';
import { find, measureCases, type Case } from '../harness';
import { ratio, target } from '../model';
import { CTX, makeResult, N, Plain, Q, QUERY, T, U, type Query } from '../workload';
import { mismatch, type Scenario } from './scenario';

const QUIET = 'ours: cached hit, nothing attached';
const OBSERVED = 'ours: cached hit, listeners attached';

/**
 * B1: what observing a service costs on the hit path. Two services with the same cache: one
 * with nothing attached, one with a listener on every cache event. `wrap` gives each its own
 * pipeline, so both are measured in one run (the container holds one service at a time).
 */
export const observedHit: Scenario = {
  id: 'B1',
  title: '@Cached hit with observers attached',
  async run({ esm, budget }) {
    const problems: string[] = [];
    const quiet = new ExecutionUtils({ cacheSize: 10_000 });
    const observed = new ExecutionUtils({ cacheSize: 10_000 });
    let heard = 0;
    const listen = (): void => {
      heard++;
    };
    for (const event of ['hit', 'miss', 'set', 'coalesced', 'executed'] as const) {
      observed.on(event, listen);
    }
    const plain = new Plain();
    const body = (u: string, t: string, q: string, n: number, query: Query) =>
      plain.get(u, t, q, n, query);
    const quietGet = quiet.wrap(body, { name: 'Svc.get', cache: true });
    const observedGet = observed.wrap(body, { name: 'Svc.get', cache: true });
    const expected = makeResult(U, Q, N, QUERY);
    const cases: Case[] = [
      { name: QUIET, kind: 'ours', fn: async () => void (await quietGet(U, T, Q, N, QUERY)) },
      {
        name: OBSERVED,
        kind: 'ours',
        fn: async () => void (await observedGet(U, T, Q, N, QUERY)),
        verify: () => (heard > 0 ? undefined : 'the listeners heard nothing'),
      },
    ];
    for (const get of [quietGet, observedGet]) {
      await get(U, T, Q, N, QUERY);
      const problem = mismatch(await get(U, T, Q, N, QUERY), expected);
      if (problem) problems.push(`B1: ${problem}`);
    }
    const rows = await measureCases(esm, 'B1', cases, budget, CTX, problems);
    const targets = [
      target(
        'B1',
        'listeners attached / nothing attached',
        ratio(find(rows, OBSERVED), find(rows, QUIET)),
        '<=',
        1.1,
      ),
    ];
    return { rows, targets, problems, notes: [] };
  },
};
