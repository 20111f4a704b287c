import { AsyncLocalStorage } from 'node:async_hooks';
import { CancelScope, signalOf, type Cancellation } from './cancellation';
import { checkFunction, checkOptionsObject, fail } from './validation';

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

/**
 * What the async context holds: the caller's context, and the scope of the attempt or shared
 * load running now, if any. That scope's `AbortSignal` is created only when someone reads it.
 */
interface Frame {
  readonly context: ExecutionContext;
  readonly scope?: CancelScope;
}

const storage = new AsyncLocalStorage<Frame>();
const EMPTY: ExecutionContext = Object.freeze({});

/**
 * Runs `fn` with `ctx` as the execution context. Nested contexts inherit the outer fields they
 * do not set, and an inner `signal` is combined with the outer one: either aborting aborts both.
 *
 * @example
 * await runWithContext({ userId: 'u1', taskId: 't1' }, () => reports.monthly(2024));
 */
export function runWithContext<T>(ctx: ExecutionContext, fn: () => T): T {
  checkOptionsObject('runWithContext(ctx)', ctx);
  checkFunction('runWithContext(fn)', fn);
  if (ctx.signal !== undefined && !isAbortSignal(ctx.signal)) {
    fail('runWithContext(ctx).signal', ctx.signal, 'an AbortSignal');
  }
  const parent = storage.getStore();
  if (!parent) return storage.run({ context: ctx }, fn);
  if (!ctx.signal) {
    const context = { ...parent.context, ...ctx, signal: parent.context.signal };
    return storage.run({ context, scope: parent.scope }, fn);
  }
  const outer = signalOf(cancellationOf(parent));
  const signal = outer && outer !== ctx.signal ? AbortSignal.any([outer, ctx.signal]) : ctx.signal;
  return storage.run({ context: { ...parent.context, ...ctx, signal } }, fn);
}

/** Duck-typed: a signal from another realm (a vm context, a test environment) is one too. */
function isAbortSignal(value: unknown): value is AbortSignal {
  const v = value as Partial<AbortSignal> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.aborted === 'boolean' &&
    typeof v.addEventListener === 'function' &&
    typeof v.removeEventListener === 'function'
  );
}

/**
 * The context of the current call, or `undefined` outside any `runWithContext` and decorated
 * call. Inside a timed attempt its `signal` is the attempt's (as `currentSignal()`).
 *
 * @example
 * const tenant = getExecutionContext()?.userId ?? 'anonymous';
 */
export function getExecutionContext(): ExecutionContext | undefined {
  const frame = storage.getStore();
  if (!frame) return undefined;
  return frame.scope ? { ...frame.context, signal: frame.scope.signal } : frame.context;
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
  const frame = storage.getStore();
  return frame && signalOf(cancellationOf(frame));
}

function cancellationOf(frame: Frame): Cancellation | undefined {
  return frame.scope ?? frame.context.signal;
}

/** What cancels the current work, without creating a scope's `AbortSignal`. */
export function currentCancellation(): Cancellation | undefined {
  const frame = storage.getStore();
  return frame && cancellationOf(frame);
}

/** The caller's context fields (tenant and all) without creating a scope's signal. */
export function currentContextFields(): ExecutionContext | undefined {
  return storage.getStore()?.context;
}

/** Calls `fn(thisArg, args)` inside `scope`: `currentSignal()` there is the scope's signal. */
export function runInScope<R>(
  scope: CancelScope,
  fn: (thisArg: unknown, args: unknown[]) => R,
  thisArg: unknown,
  args: unknown[],
): R {
  const parent = storage.getStore();
  return storage.run({ context: parent ? parent.context : EMPTY, scope }, fn, thisArg, args);
}

/**
 * Calls `fn(thisArg, args)` with the current context's fields but nothing that cancels: for work
 * that outlives its caller, like a background refresh.
 */
export function runDetached<R>(
  fn: (thisArg: unknown, args: unknown[]) => R,
  thisArg: unknown,
  args: unknown[],
): R {
  const parent = storage.getStore();
  const context = parent ? { ...parent.context, signal: undefined } : EMPTY;
  return storage.run({ context }, fn, thisArg, args);
}
