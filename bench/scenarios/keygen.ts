import objectHash from 'object-hash';
import { ExecutionUtils } from '../../src';
import { find, measureCases } from '../harness';
import { ratio, target } from '../model';
import { ARGS, OP, T, U } from '../workload';
import type { Scenario } from './scenario';

const OURS = "ours: utils.generateCacheKey('Svc.get', 'user-1', 'task-1', args)";
const OBJECT_HASH = 'object-hash of {func, userId, taskId, args, kwargs}';

/** Keeps results alive so no call can be optimised away. */
let sink = 0;

/** B0: building the key alone. */
export const keygen: Scenario = {
  id: 'B0',
  title: 'cache key generation alone',
  async run({ esm, budget }) {
    const problems: string[] = [];
    const utils = new ExecutionUtils();
    const rows = await measureCases(
      esm,
      'B0',
      [
        {
          name: OURS,
          kind: 'ours',
          fn: () => {
            sink ^= utils.generateCacheKey(OP, U, T, ARGS).length;
          },
        },
        {
          name: OBJECT_HASH,
          kind: 'peer',
          fn: () => {
            sink ^= objectHash({ func: OP, userId: U, taskId: T, args: ARGS, kwargs: {} }).length;
          },
        },
        {
          name: 'JSON.stringify([name, userId, taskId, args])',
          kind: 'baseline',
          fn: () => {
            sink ^= JSON.stringify([OP, U, T, ARGS]).length;
          },
        },
      ],
      budget,
      undefined,
      problems,
    );
    if (sink === 0.5) problems.push('unreachable'); // reads the sink
    return {
      rows,
      targets: [
        target(
          'B0',
          'object-hash / ours (speed-up)',
          ratio(find(rows, OBJECT_HASH), find(rows, OURS)),
          '>=',
          20,
        ),
      ],
      problems,
      notes: [],
    };
  },
};
