import type { Budget } from './model';

export interface CliOptions {
  budget: Budget;
  /** Scenario ids to run (upper case), or undefined for all. */
  only: Set<string> | undefined;
  /**
   * Whether to rewrite bench/results.*: only a full run of every scenario does, unless
   * `--write` or `--no-write` says otherwise (a quick or partial run must not replace the
   * committed figures).
   */
  write: boolean;
}

const USAGE =
  'usage: run.js [--quick] [--only=A,B,B2,B1,B0,C,D,E,H,F,K,L,M,N,R,G,S] [--write | --no-write]';

export function parseArgs(argv: string[]): CliOptions {
  let quick = false;
  let write: boolean | undefined;
  let only: Set<string> | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--no-write') write = false;
    else if (arg === '--write') write = true;
    else if (arg.startsWith('--only=')) {
      only = new Set(
        arg
          .slice('--only='.length)
          .split(',')
          .map((s) => s.trim().toUpperCase())
          .filter(Boolean),
      );
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const budget: Budget = quick
    ? {
        mode: 'quick',
        rounds: 1,
        roundNs: 40e6,
        warmupCalls: 500,
        singleFlightReps: 3,
        heapReps: 1,
      }
    : {
        mode: 'full',
        rounds: 6,
        roundNs: 250e6,
        warmupCalls: 5000,
        singleFlightReps: 9,
        heapReps: 3,
      };
  return { budget, only, write: write ?? (!quick && only === undefined) };
}
