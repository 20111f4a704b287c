import 'reflect-metadata';
import { container } from 'tsyringe';
import { ConfigError, ExecutionUtils, ManualClock, type ExecutionUtilsOptions } from '../src';

export interface TestRig {
  utils: ExecutionUtils;
  clock: ManualClock;
  /** Every retry wait requested, in ms. */
  waits: number[];
}

/**
 * A service on a manual clock whose retry waits return at once (and are recorded), registered
 * in the container so decorated methods use it.
 */
export function rig(options: ExecutionUtilsOptions = {}): TestRig {
  const clock = new ManualClock();
  const waits: number[] = [];
  const utils = new ExecutionUtils({
    clock,
    retryJitter: 'none',
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  container.registerInstance(ExecutionUtils, utils);
  return { utils, clock, waits };
}

/** A promise with its resolve/reject exposed, to settle work exactly when a test says. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The ConfigError `fn` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(fn: () => unknown): ConfigError {
  return thrownBy(ConfigError, fn);
}

/** What `fn` throws; the test fails unless it throws an instance of `type`. */
export function thrownBy<E extends Error>(
  type: abstract new (...args: never[]) => E,
  fn: () => unknown,
): E {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  return thrown as E;
}

/** A deterministic PRNG (mulberry32), so that every run checks the same sequences. */
export { prng } from '../bench/traces';
