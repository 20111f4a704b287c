import * as vm from 'node:vm';
import { CacheKeyError, Cached, ConfigError, type ExecutionUtils } from '../../src';

/**
 * Shared by the bad-input suite: every public entry point fed what plain JavaScript, a typo or a
 * hostile payload can give it. Each bad input must end in a documented error (`ConfigError`
 * naming the option, `CacheKeyError` naming the path) or a documented fallback (run uncached,
 * count `refused`), never a raw `TypeError`/`RangeError` or a crash, and the cache must keep
 * working afterwards.
 */

/** A value as plain JavaScript passes it: no compile-time check stands in the way. */
export const untyped = (value: unknown): never => value as never;

/** A value of `depth` nested objects `{ a: { a: ... } }`. */
export function deepObject(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A value of `depth` nested arrays `[[...]]`. */
export function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A value of `depth` nested Maps. */
export function deepMap(depth: number): unknown {
  let value: unknown = new Map();
  for (let i = 0; i < depth; i++) value = new Map([['k', value]]);
  return value;
}

export function circularObject(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

export function circularArray(): unknown {
  const value: unknown[] = [1];
  value.push(value);
  return value;
}

/** A proxy whose every operation throws a `TypeError` (it has been revoked). */
export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** A flat (not rope) one-byte string of `bytes` characters. */
export function flatString(bytes: number, fill = 'x'): string {
  return Buffer.alloc(bytes, fill).toString('latin1');
}

export const TEN_MB = 10 * 1024 * 1024;

/** A promise that never settles: work that hangs. */
export const never = (): Promise<never> => new Promise<never>(() => {});

/** Records how a promise settles, so a test can look without awaiting it. */
export function watch(promise: Promise<unknown>): { outcome: unknown } {
  const state: { outcome: unknown } = { outcome: 'pending' };
  promise.then(
    (value) => (state.outcome = { value }),
    (error: unknown) => (state.outcome = error),
  );
  return state;
}

/**
 * What `fn` threw, or `undefined`. Synchronous only: a bad argument to a service method must be
 * refused before any work starts, not as a rejected promise.
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    const result = fn();
    // Keep a rejected promise from becoming an unhandled rejection; the caller asserts the throw.
    if (result instanceof Promise) result.catch(() => undefined);
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The ConfigError `fn` throws synchronously; fails (showing what was thrown) otherwise. */
export function configErrorFrom(fn: () => unknown): ConfigError {
  const thrown = thrownBy(fn);
  expect(describeThrown(thrown)).toBe('ConfigError');
  return thrown as ConfigError;
}

/** The CacheKeyError `fn` throws synchronously; fails (showing what was thrown) otherwise. */
export function cacheKeyErrorFrom(fn: () => unknown): CacheKeyError {
  const thrown = thrownBy(fn);
  expect(describeThrown(thrown)).toBe('CacheKeyError');
  return thrown as CacheKeyError;
}

/** The class name of a thrown value, with its message when it is not ours (for readable failures). */
function describeThrown(thrown: unknown): string {
  if (thrown === undefined) return 'nothing thrown';
  if (thrown instanceof ConfigError) return 'ConfigError';
  if (thrown instanceof CacheKeyError) return 'CacheKeyError';
  // Node's own errors may come from another realm than the test's `Error`: read them by shape.
  if (typeof thrown === 'object' && thrown !== null && 'message' in thrown) {
    const { name, message } = thrown as { name?: unknown; message: unknown };
    return `${String(name)}: ${String(message).slice(0, 200)}`;
  }
  return `a thrown ${typeof thrown}: ${String(thrown)}`;
}

/** How the library shows a bad value in a ConfigError message (`got ...`); undefined for objects. */
export function shown(value: unknown): string | undefined {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' || typeof value === 'function') return undefined;
  return String(value);
}

/**
 * Runs the synchronous part of `fn` with a wall-clock bound: V8 terminates it once `ms` have
 * passed (a runaway loop fails the test in `ms`, not after a minute). Returns what `fn`
 * returned or threw, or `'timed out'`.
 */
export function boundedRun(
  ms: number,
  fn: () => unknown,
): { returned: unknown } | { threw: unknown } | 'timed out' {
  const outcome: { value?: { returned: unknown } | { threw: unknown } } = {};
  const body = (): void => {
    try {
      outcome.value = { returned: fn() };
    } catch (error) {
      outcome.value = { threw: error };
    }
  };
  try {
    vm.runInNewContext('body()', { body }, { timeout: ms });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timed out';
    throw error;
  }
  return outcome.value!;
}

/** Whether anything leaked onto `Object.prototype` (a `__proto__` payload that was merged). */
export function expectNoPrototypePollution(): void {
  const probe: Record<string, unknown> = {};
  for (const name of ['x', 'polluted', 'isAdmin']) {
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, name)).toBe(false);
    expect(probe[name]).toBeUndefined();
  }
}

class CacheProbe {
  runs = 0;

  @Cached()
  async get(id: string): Promise<string> {
    this.runs++;
    return `probe-${id}`;
  }

  @Cached()
  getSync(id: string): string {
    this.runs++;
    return `probe-${id}`;
  }
}

let probeIds = 0;

/**
 * The cache still works on `utils` (which must be the registered instance): a decorated call on a
 * fresh key misses once and then hits, sync and async, and a direct entry round-trips.
 */
export async function expectCacheStillHits(utils: ExecutionUtils): Promise<void> {
  const probe = new CacheProbe();
  const id = `after-bad-input-${++probeIds}`;
  const before = utils.getStats();
  await expect(probe.get(id)).resolves.toBe(`probe-${id}`);
  await expect(probe.get(id)).resolves.toBe(`probe-${id}`);
  expect(probe.getSync(id)).toBe(`probe-${id}`);
  expect(probe.getSync(id)).toBe(`probe-${id}`);
  expect(probe.runs).toBe(2);
  const after = utils.getStats();
  expect(after.hits - before.hits).toBe(2);
  expect(after.sets - before.sets).toBe(2);
  utils.addToCache(`direct-${id}`, { id });
  expect(utils.getFromCache(`direct-${id}`)).toEqual({ id });
}
