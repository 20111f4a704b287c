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
