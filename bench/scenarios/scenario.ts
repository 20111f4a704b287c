import { runWithContext, type ExecutionContext } from '../../src';
import type { Case } from '../harness';
import type { Esm } from '../esm';
import type { Budget, ScenarioResult } from '../model';

export interface Env {
  esm: Esm;
  budget: Budget;
}

export interface Scenario {
  id: string;
  title: string;
  run(env: Env): Promise<ScenarioResult>;
}

/** A mismatch message when `actual` is not structurally `expected`, else undefined. */
export function mismatch(actual: unknown, expected: unknown): string | undefined {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return a === e ? undefined : `returned ${a}, expected ${e}`;
}

/** How many 'Timeout' handles the process holds now. */
export function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One measured call of a scenario: its row name, its kind, and the call itself. */
export type Call = [name: string, kind: Case['kind'], call: () => Promise<unknown>];

/**
 * Runs each call once in `ctx` and reports any that does not return `expected`, then turns the
 * calls into measured cases (each op awaits its call).
 */
export async function checkedCases(
  scenario: string,
  calls: readonly Call[],
  expected: unknown,
  ctx: ExecutionContext,
  problems: string[],
): Promise<Case[]> {
  await runWithContext(ctx, async () => {
    for (const [name, , call] of calls) {
      const problem = mismatch(await call(), expected);
      if (problem) problems.push(`${scenario} / ${name}: ${problem}`);
    }
  });
  return calls.map(([name, kind, call]): Case => ({
    name,
    kind,
    fn: async () => {
      await call();
    },
  }));
}
