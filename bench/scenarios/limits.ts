import { LRUCache } from 'lru-cache';
import { measureCases } from '../harness';
import { CTX, makeResult, N, OP, Plain, Q, QUERY, T, U, type Result } from '../workload';
import type { Scenario } from './scenario';

/** A: what a call costs at the least, and what an lru-cache hit costs. */
export const limits: Scenario = {
  id: 'A',
  title: 'limits: the bare call and an lru-cache hit',
  async run({ esm, budget }) {
    const problems: string[] = [];
    const plain = new Plain();
    const lru = new LRUCache<string, Result>({ max: 10_000 });
    const key = JSON.stringify([OP, U, T, [U, T, Q, N, QUERY]]);
    lru.set(key, makeResult(U, Q, N, QUERY));
    const rows = await measureCases(
      esm,
      'A',
      [
        {
          name: 'bare: await plain.get(...)',
          kind: 'bare',
          fn: async () => {
            await plain.get(U, T, Q, N, QUERY);
          },
        },
        {
          name: 'lru.get hit + await',
          kind: 'baseline',
          fn: async () => {
            // The baseline awaits a plain value on purpose, as an async cache hit does.
            // eslint-disable-next-line @typescript-eslint/await-thenable
            await lru.get(key);
          },
          verify: () => (lru.get(key) ? undefined : 'the entry is gone'),
        },
      ],
      budget,
      CTX,
      problems,
    );
    return { rows, targets: [], problems, notes: [] };
  },
};
