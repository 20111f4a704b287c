import { container } from 'tsyringe';

/** Cases per property in `npm test`: small enough that every property file together stays quick. */
const DEFAULT_RUNS = 200;

/**
 * How many cases each property generates: `PROPERTY_RUNS` when set (the deep run,
 * `npm run test:properties`, sets 100_000), else {@link DEFAULT_RUNS}.
 */
export const PROPERTY_RUNS = parseRuns(process.env.PROPERTY_RUNS);

function parseRuns(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_RUNS;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    // A typo must not turn the deep run into a silent default run.
    throw new Error(`PROPERTY_RUNS must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return runs;
}

/**
 * A jest timeout for a property whose cases take up to `msPerRun` each: the deep run legitimately
 * takes minutes, while the default run keeps jest's usual margin.
 */
export function timeoutFor(msPerRun: number): number {
  return 30_000 + Math.ceil(PROPERTY_RUNS * msPerRun);
}

/**
 * Drops the `ExecutionUtils` instances a property registered. tsyringe keeps every registration
 * it is given, so 100_000 cases that each register a fresh service would otherwise keep 100_000
 * services (and their caches) alive until the file ends.
 */
export function forgetRegisteredServices(): void {
  container.clearInstances();
}

/**
 * Fails the current case with `message()` unless `holds`. Properties check with this rather than
 * jest's `expect`, which builds an error (with its stack) on every call, pass or fail: ~0.1 ms,
 * more than the rest of most cases, and the deep run makes 100_000 cases per property.
 * fast-check reports the message with the (shrunk) counterexample.
 */
export function check(holds: boolean, message: () => string): void {
  if (!holds) throw new Error(message());
}
