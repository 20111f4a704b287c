import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import { container } from 'tsyringe';
import { find, measureCases } from '../harness';
import { ratio, target } from '../model';
import { LimitSvc, registerUtils, RetrySvc } from '../services';
import { CTX, makeResult, N, Plain, Q, QUERY, T, U, type Result } from '../workload';
import { checkedCases, type Call, type Scenario } from './scenario';

const OURS = 'ours: @Retry, success on the first try';
const COCKATIEL = 'cockatiel retry(handleAll, { maxAttempts: 2, ExponentialBackoff })';
const LIMITED = 'ours: @RateLimit, an admitted call (local limiter)';

/** D: a retry policy around a call that succeeds at once. All allow 3 calls in all. */
export const retrySuccess: Scenario = {
  id: 'D',
  title: '@Retry, success on the first try',
  async run({ esm, budget }) {
    const problems: string[] = [];
    registerUtils({});
    const svc = container.resolve(RetrySvc);
    const limited = container.resolve(LimitSvc);
    const plain = new Plain();
    const policy = retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() });
    const handWritten = async (): Promise<Result> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await plain.get(U, T, Q, N, QUERY);
        } catch (error) {
          if (attempt >= 3) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** (attempt - 1)));
        }
      }
    };
    const calls: Call[] = [
      ['bare: await plain.get(...)', 'bare', () => plain.get(U, T, Q, N, QUERY)],
      [OURS, 'ours', () => svc.get(U, T, Q, N, QUERY)],
      [LIMITED, 'ours', () => limited.get(U, T, Q, N, QUERY)],
      [COCKATIEL, 'peer', () => policy.execute(() => plain.get(U, T, Q, N, QUERY))],
      [
        'p-retry { retries: 2 }',
        'peer',
        () => esm.pRetry(() => plain.get(U, T, Q, N, QUERY), { retries: 2 }),
      ],
      ['hand-written for-loop', 'baseline', handWritten],
    ];
    const expected = makeResult(U, Q, N, QUERY);
    const cases = await checkedCases('D', calls, expected, CTX, problems);
    const rows = await measureCases(esm, 'D', cases, budget, CTX, problems);
    return {
      rows,
      targets: [
        target('D', 'ours / cockatiel', ratio(find(rows, OURS), find(rows, COCKATIEL)), '<=', 1),
        target(
          'D',
          '@RateLimit admitted / @Retry success',
          ratio(find(rows, LIMITED), find(rows, OURS)),
          '<=',
          1.5,
        ),
      ],
      problems,
      notes: [
        "D: cockatiel's maxAttempts counts retries (2 = 3 calls); ours is attempts: 3, p-retry retries: 2.",
      ],
    };
  },
};
