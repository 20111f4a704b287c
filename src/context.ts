import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a call knows about who it runs for. `userId` and `taskId` scope cache keys to a tenant;
 * `signal` lets the caller cancel; any other field is carried along for the user's own code.
 */
export interface ExecutionContext {
  readonly userId?: string;
  readonly taskId?: string;
  /** Aborts the calls made inside this context: never retried, waits end at once. */
  readonly signal?: AbortSignal;
  readonly [key: string]: unknown;
}

const storage = new AsyncLocalStorage<ExecutionContext>();

/**
 * Runs `fn` with `ctx` as the execution context. Nested contexts inherit the outer fields they
 * do not set, and an inner `signal` is combined with the outer one: either aborting aborts both.
 *
 * @example
 * await runWithContext({ userId: 'u1', taskId: 't1' }, () => reports.monthly(2024));
 */
export function runWithContext<T>(ctx: ExecutionContext, fn: () => T): T {
  const parent = storage.getStore();
  if (!parent) return storage.run(ctx, fn);
  const signal =
    parent.signal && ctx.signal && parent.signal !== ctx.signal
      ? AbortSignal.any([parent.signal, ctx.signal])
      : (ctx.signal ?? parent.signal);
  return storage.run({ ...parent, ...ctx, signal }, fn);
}

/** The context of the current call, or `undefined` outside any `runWithContext`. */
export function getExecutionContext(): ExecutionContext | undefined {
  return storage.getStore();
}

/**
 * The signal the current work should honour. Inside a decorated method it aborts when the
 * attempt times out, when an enclosing deadline passes, or when the caller's signal aborts.
 *
 * @example
 * @Timeout(2_000)
 * async fetchReport(id: string) {
 *   return (await fetch(`/reports/${id}`, { signal: currentSignal() })).json();
 * }
 */
export function currentSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** Runs `fn` with the current context but `signal` in place of its signal (already linked). */
export function runWithSignal<T>(signal: AbortSignal, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run(parent ? { ...parent, signal } : { signal }, fn);
}
