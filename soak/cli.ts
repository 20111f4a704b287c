export interface SoakOptions {
  /** How long the load runs, in seconds of real time. */
  seconds: number;
  /** Seed of every random choice; printed so a failing run can be replayed. */
  seed: number;
}

const USAGE = 'usage: run.js [--seconds N] [--seed S]   (defaults: 60 s, a random seed)';

/** Reads `--seconds N` / `--seconds=N` and `--seed S` / `--seed=S`. */
export function parseArgs(argv: readonly string[]): SoakOptions {
  const options: SoakOptions = { seconds: 60, seed: Math.floor(Math.random() * 2 ** 32) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (flag !== '--seconds' && flag !== '--seed')
      throw new Error(`unknown argument ${flag}\n${USAGE}`);
    const text = inline ?? argv[++i];
    const value = Number(text);
    if (flag === '--seconds') {
      if (!(value > 0) || !Number.isFinite(value))
        throw new Error(`--seconds must be > 0, got ${text}\n${USAGE}`);
      options.seconds = value;
    } else {
      if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
        throw new Error(`--seed must be an integer in [0, 2^32), got ${text}\n${USAGE}`);
      }
      options.seed = value;
    }
  }
  return options;
}
