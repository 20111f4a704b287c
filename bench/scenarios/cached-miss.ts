import { Registry } from 'prom-client';
import { container } from 'tsyringe';
import { ExecutionUtils, runWithContext } from '../../src';
import { find, measureCases, type Case } from '../harness';
import { ratio, target, type Row } from '../model';
import { cachePeers } from '../peers';
import { registerUtils, Svc } from '../services';
import { CTX, Plain, plainFn, Q, QUERY, T, U, type GetFn } from '../workload';
import type { Scenario } from './scenario';

const SIZE = 10_000;
const OURS = 'ours: @Cached miss + set (evicts)';
const WRAPPED = 'ours: wrap miss + set (evicts)';
const METERED = 'ours: wrap miss + set (evicts), Prometheus metrics registered';

/** `plain.get` behind `wrap` on a service of its own, with or without Prometheus metrics. */
function wrapped(metered: boolean): { call: GetFn; executions: () => number } {
  const plain = new Plain();
  const utils = new ExecutionUtils({ cacheSize: SIZE });
  if (metered) utils.registerMetrics(new Registry());
  const call = utils.wrap(plainFn(plain), { name: 'Svc.get', cache: true });
  return { call, executions: () => plain.executions };
}

/**
 * C: every call misses (a counter as `n` makes each key new), runs the method and stores the
 * result into a full 10,000-entry cache, which evicts the oldest entry.
 */
export const cachedMiss: Scenario = {
  id: 'C',
  title: '@Cached miss + set into a full 10k cache',
  async run({ esm, budget }) {
    const problems: string[] = [];
    const utils = registerUtils({ cacheSize: SIZE });
    const svc = container.resolve(Svc);
    const peers = cachePeers(esm, SIZE);
    const plain = new Plain();

    const callers: { name: string; kind: Case['kind']; call: GetFn; executions: () => number }[] = [
      {
        name: 'bare: await plain.get(...) (new n each call)',
        kind: 'bare',
        call: plain.get.bind(plain),
        executions: () => plain.executions,
      },
      { name: OURS, kind: 'ours', call: svc.get.bind(svc), executions: () => svc.executions },
      { name: WRAPPED, kind: 'ours', ...wrapped(false) },
      { name: METERED, kind: 'ours', ...wrapped(true) },
      ...peers,
    ];
    const cases = await runWithContext(CTX, async () => {
      const out: Case[] = [];
      for (const c of callers) {
        let n = 0;
        // Pre-fill: the cache is full before the first measured call.
        while (n < SIZE) await c.call(U, T, Q, n++, QUERY);
        out.push({
          name: c.name,
          kind: c.kind,
          fn: async () => {
            await c.call(U, T, Q, n++, QUERY);
          },
          // Every call was a miss: the method ran once per call.
          verify: () =>
            c.executions() === n
              ? undefined
              : `${c.executions()} executions for ${n} distinct calls`,
        });
      }
      return out;
    });
    const rows = await measureCases(esm, 'C', cases, budget, CTX, problems);
    for (const p of peers) await p.dispose?.();

    const memory = utils.getMemoryStats();
    if (memory.cacheSize !== SIZE)
      problems.push(`C: our cache holds ${memory.cacheSize}, not ${SIZE}`);
    const evictions = utils.getStats().evictions;
    const ours = rows.find((r) => r.name === OURS);
    const fastest = fastestPeer(rows);
    return {
      rows,
      targets: [
        target('C', `ours / fastest peer (${fastest?.name ?? 'none'})`, ours?.vsBestPeer, '<=', 1),
        target(
          'C',
          'with Prometheus metrics / without (wrap)',
          ratio(find(rows, METERED), find(rows, WRAPPED)),
          '<=',
          1.1,
        ),
      ],
      problems,
      notes: [`C: our cache evicted ${evictions} entries and holds ${memory.cacheSize}.`],
    };
  },
};

function fastestPeer(rows: Row[]): Row | undefined {
  return rows
    .filter((r) => r.kind === 'peer')
    .sort((a, b) => (a.medianNs ?? Infinity) - (b.medianNs ?? Infinity))[0];
}
