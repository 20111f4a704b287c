import { inspect, isDeepStrictEqual } from 'node:util';
import type { Stamp } from './stamp';
import type { Tally } from './tally';

/**
 * lru-cache may serve an entry up to 1 ms past its TTL, and the entry is stored a few
 * microtasks after its body stamped it; the rest is room for a GC pause in between.
 */
const EXPIRY_SLACK_MS = 25;

/** What a call must get back: a result for its own tenant and arguments, and fresh enough. */
export interface Expectation {
  readonly operation: string;
  readonly userId: string;
  readonly taskId: string;
  readonly args: readonly unknown[];
  /** The backend's data version when the call started (bumped with every `clearCache()`). */
  readonly version: number;
  readonly startedAt: number;
  /** The operation's TTL, 0 when uncached. */
  readonly maxAgeMs: number;
}

export function verify(tally: Tally, expected: Expectation, result: Stamp): void {
  const { operation } = expected;
  if (result.userId !== expected.userId || result.taskId !== expected.taskId) {
    tally.wrongTenant++;
    tally.note(
      `${operation}: ${JSON.stringify(expected.userId)}/${expected.taskId} got the result of ` +
        `${JSON.stringify(result.userId)}/${result.taskId}`,
    );
  }
  // Strict: 7 is not '7', and { lang: undefined } is not {}.
  if (!isDeepStrictEqual(result.args, expected.args)) {
    tally.wrongArgs++;
    tally.note(
      `${operation}(${show(expected.args)}) got the result of ${operation}(${show(result.args)})`,
    );
  }
  // The cache was cleared (and the data changed) before this call started: an older load is stale.
  if (result.version < expected.version) {
    tally.staleAfterClear++;
    tally.note(
      `${operation}: a call at data version ${expected.version} got a result loaded at ` +
        `version ${result.version}, before a clearCache()`,
    );
  }
  const age = expected.startedAt - result.loadedAt;
  if (age > expected.maxAgeMs + EXPIRY_SLACK_MS) {
    tally.expiredServed++;
    tally.note(
      `${operation}: a result ${age.toFixed(1)} ms old when its call started ` +
        `(TTL ${expected.maxAgeMs} ms), ${(expected.startedAt / 1000).toFixed(2)} s into the process`,
    );
  }
}

/** The arguments as code would write them (JSON would show 7 and '7' alike, and drop undefined). */
export function show(args: readonly unknown[]): string {
  return args.map((arg) => inspect(arg, { breakLength: Infinity })).join(', ');
}
