import { container } from 'tsyringe';
import { runWithContext } from '../../src';
import { find, measureCases, type Case } from '../harness';
import { ratio, target } from '../model';
import { cachePeers } from '../peers';
import { registerUtils, Svc } from '../services';
import { CTX, makeResult, N, Plain, Q, QUERY, T, U } from '../workload';
import { mismatch, type Scenario } from './scenario';

const OURS = 'ours: @Cached hit (container-resolved)';
const BASELINE = 'hand-written: JSON key + lru-cache + in-flight Map';
const BARE = 'bare: await plain.get(...)';

/** B: a cache hit with the same arguments, ours against the peers and the hand-written baseline. */
export const cachedHit: Scenario = {
  id: 'B',
  title: '@Cached hit, same arguments',
  async run({ esm, budget }) {
    const problems: string[] = [];
    registerUtils({ cacheSize: 10_000 });
    const svc = container.resolve(Svc);
    const peers = cachePeers(esm, 10_000);
    const expected = makeResult(U, Q, N, QUERY);

    // Load each cache once, then check a second call is a hit with the right value.
    const callers = [
      { name: OURS, call: svc.get.bind(svc), executions: () => svc.executions },
      ...peers,
    ];
    await runWithContext(CTX, async () => {
      for (const c of callers) {
        await c.call(U, T, Q, N, QUERY);
        const problem = mismatch(await c.call(U, T, Q, N, QUERY), expected);
        if (problem) problems.push(`B / ${c.name}: ${problem}`);
      }
    });

    const onlyHits = (executions: () => number) => () =>
      executions() === 1 ? undefined : `ran ${executions()} times instead of once (not a hit)`;
    const plain = new Plain();
    const cases: Case[] = [
      {
        name: BARE,
        kind: 'bare',
        fn: async () => {
          await plain.get(U, T, Q, N, QUERY);
        },
      },
      {
        name: OURS,
        kind: 'ours',
        fn: async () => {
          await svc.get(U, T, Q, N, QUERY);
        },
        verify: onlyHits(() => svc.executions),
      },
      ...peers.map((p): Case => ({
        name: p.name,
        kind: p.kind,
        fn: async () => {
          await p.call(U, T, Q, N, QUERY);
        },
        verify: onlyHits(p.executions),
      })),
    ];
    const rows = await measureCases(esm, 'B', cases, budget, CTX, problems);
    for (const p of peers) await p.dispose?.();

    const ours = find(rows, OURS);
    const targets = [
      target('B', 'ours / hand-written baseline', ratio(ours, find(rows, BASELINE)), '<=', 1),
      target('B', 'ours / bare call', ratio(ours, find(rows, BARE)), '<=', 12),
    ];
    return {
      rows,
      targets,
      problems,
      notes: [
        'B: every cache keeps entries one hour (ours by default; the peers are configured so).',
      ],
    };
  },
};
